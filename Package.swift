// swift-tools-version:6.0
import Foundation
import PackageDescription

/// Every folder in Sources/Sources/ is a source: a target of its own (depending on IngestKit only),
/// linked into `ingestctl` and registered by the SourceRegistry plugin. Adding a source edits nothing here.
let sourceModules: [String] = {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Sources/Sources")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { name in
        var isFolder: ObjCBool = false
        return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path, isDirectory: &isFolder) && isFolder.boolValue
    }.sorted()
}()

/// A source folder whose `Tests/` subfolder holds Swift files also has a test target, `<Name>Tests`, in that
/// subfolder (depending on IngestKit, the source and IngestTesting; its `Fixtures/` are data, not code), so a
/// source's tests live in its folder too. `ingestctl new` writes one; `ingestctl record` adds fixtures.
let sourceTestModules: [String] = sourceModules.filter { name in
    let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Sources/Sources/\(name)/Tests")
    let files = (try? FileManager.default.subpathsOfDirectory(atPath: tests.path)) ?? []
    return files.contains { $0.hasSuffix(".swift") && !$0.hasPrefix("Fixtures/") }
}

func fixturesExist(_ name: String) -> Bool {
    FileManager.default.fileExists(atPath: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Sources/Sources/\(name)/Tests/Fixtures").path)
}

let package = Package(
    name: "IngestKit",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "IngestKit", targets: ["IngestKit"]),
        .library(name: "IngestCommon", targets: ["IngestCommon"]),
        // For source authors' tests: recorded runs served on loopback, scratch warehouses (Sources/IngestTesting).
        .library(name: "IngestTesting", targets: ["IngestTesting"]),
        .executable(name: "ingestctl", targets: ["ingestctl"]),
        .executable(name: "ingestbench", targets: ["ingestbench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // Foundations with no pipeline knowledge.
        .target(
            name: "IngestCommon",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The SDK a source imports: schema, extract, bronze, silver, pipeline.
        .target(
            name: "IngestKit",
            dependencies: [
                "IngestCommon",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                "CLibXML2",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                // Observe/: metrics (Prometheus text format) and `ingestctl serve`.
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        // libxml2's HTML parser and XPath, for HTMLDocument (apt-get install -y libxml2-dev).
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        // One target per source; each depends on IngestKit only.
    ] + sourceModules.map { name in
        Target.target(name: name, dependencies: ["IngestKit"], path: "Sources/Sources/\(name)",
                      exclude: sourceTestModules.contains(name) ? ["Tests"] : [])
    } + [
        // The thin CLI: every source is a dependency; the plugin generates the registry that imports them.
        // IngestTesting: `ingestctl fixtures serve` serves recorded runs and fixture files with its RecordedAPI.
        .executableTarget(
            name: "ingestctl",
            dependencies: ["IngestKit", "IngestTesting", .product(name: "ArgumentParser", package: "swift-argument-parser")]
                + sourceModules.map { Target.Dependency.target(name: $0) },
            plugins: ["SourceRegistry"]
        ),
        // Writes ingestctl's RegisteredSources.swift: one import and registration per source folder.
        .plugin(name: "SourceRegistry", capability: .buildTool()),
        // Benchmarks that print figures against a baseline measured in the same run.
        .executableTarget(
            name: "ingestbench",
            dependencies: [
                "IngestKit",
                "AcmePortal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The testing library for source authors: a recorded run (`ingestctl record`) or fixture files
        // served on loopback, a scratch SQLite or PostgreSQL platform per test.
        .target(name: "IngestTesting", dependencies: ["IngestKit"]),
        // Shared by this repository's test targets (re-exports IngestTesting): fixtures of the SDK's own tests.
        .target(
            name: "IngestTestSupport",
            dependencies: ["IngestKit", "IngestTesting", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "Tests/IngestTestSupport"
        ),
        .testTarget(name: "IngestCommonTests", dependencies: ["IngestCommon"]),
        .testTarget(name: "IngestKitTests", dependencies: ["IngestKit", "IngestTestSupport"]),
        .testTarget(name: "IngestTestingTests", dependencies: ["IngestKit", "IngestTesting", "IngestTestSupport",
                                                           .product(name: "AsyncHTTPClient", package: "async-http-client")]),
        // The demo sources' own tests: their parse, their end-to-end runs, declaration parity, messy input.
        .testTarget(name: "AcmePortalTests", dependencies: ["IngestKit", "AcmePortal", "IngestTestSupport"]),
        .testTarget(name: "TalentPortalTests", dependencies: ["IngestKit", "TalentPortal", "IngestTestSupport"]),
        // The built `ingestctl` run as a user runs it, against the demo sources (its `Fixtures/` are data, not code).
        .testTarget(name: "IngestctlTests", dependencies: ["IngestKit", "AcmePortal", "IngestTestSupport"], exclude: ["Fixtures"]),
    ] + sourceTestModules.map { name in
        Target.testTarget(name: "\(name)Tests", dependencies: ["IngestKit", .target(name: name), "IngestTesting"],
                          path: "Sources/Sources/\(name)/Tests", exclude: fixturesExist(name) ? ["Fixtures"] : [])
    },
    swiftLanguageModes: [.v6]
)
