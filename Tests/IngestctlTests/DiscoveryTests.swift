import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// A source is a folder: Package.swift enumerates Sources/Sources/ and the SourceRegistry plugin
/// generates ingestctl's registry, so nothing outside the folder names a source.
@Suite struct DiscoveryTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func sourceFolders() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Sources/Sources").path)
            .filter { !$0.hasPrefix(".") }.sorted()
    }

    /// `AcmePortal` → `acme_portal`.
    static func snakeCase(_ name: String) -> String {
        var out = ""
        for character in name {
            if character.isUppercase, !out.isEmpty { out += "_" }
            out += character.lowercased()
        }
        return out
    }

    @Test func everySourceFolderIsListedByIngestctl() async throws {
        let folders = try Self.sourceFolders()
        #expect(folders.count >= 2)
        let result = try await Ingestctl.run(["list"], environment: [:], in: try Ingestctl.workingDirectory())
        #expect(result.status == 0, "\(result.stderr)")
        let listed = Set(result.stdout.split(separator: "\n").filter { !$0.hasPrefix(" ") }.map(String.init))
        for folder in folders {
            #expect(listed.contains(Self.snakeCase(folder)), "Sources/Sources/\(folder) is not registered: ingestctl list shows \(listed.sorted())")
        }
    }

    /// The cheap faithful proof that a new folder needs no other edit: the manifest declares no source
    /// target by name and the CLI's code names no source module, so the folders alone decide what is
    /// built and registered (the benchmark and a source's own test target may still name it).
    @Test func nothingOutsideASourceFolderRegistersIt() throws {
        let folders = try Self.sourceFolders()
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        for folder in folders {
            #expect(!manifest.contains("name: \"\(folder)\""), "Package.swift declares the target \(folder) by hand")
            #expect(!manifest.contains("Sources/Sources/\(folder)"), "Package.swift names the folder of \(folder)")
        }
        let ingestctlTarget = manifest.components(separatedBy: "name: \"ingestctl\"").last?.components(separatedBy: "),").first ?? ""
        #expect(ingestctlTarget.contains("sourceModules"), "ingestctl depends on every source folder")
        var files: [URL] = []
        let cli = Self.root.appendingPathComponent("Sources/ingestctl")
        files += try FileManager.default.contentsOfDirectory(atPath: cli.path).map { cli.appendingPathComponent($0) }
        files.append(Self.root.appendingPathComponent("Plugins/SourceRegistry/SourceRegistryPlugin.swift"))
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for folder in folders {
                #expect(!text.contains(folder), "\(file.lastPathComponent) names the source \(folder): a new source would need that edit too")
            }
        }
    }

    /// SwiftPM caches Package.swift's evaluation (folder list included): run in the repository,
    /// `ingestctl list` names a folder the build has not registered yet and the command that does.
    @Test func listNamesASourceFolderThisBuildHasNotRegistered() async throws {
        let directory = try Ingestctl.workingDirectory()
        // A name no checkout registers (the new-user test adds CityPermits and runs these tests with it built in).
        try FileManager.default.createDirectory(atPath: directory + "/Sources/Sources/NotBuiltYet", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/Sources/Sources/AcmePortal", withIntermediateDirectories: true)
        let result = try await Ingestctl.run(["list"], environment: [:], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("Sources/Sources/NotBuiltYet is not registered in this build: swift package purge-cache && touch Package.swift && swift build"))
        #expect(!result.stderr.contains("AcmePortal"), "a registered folder is not reported")
        #expect(result.stdout.contains("acme_portal\n"))
    }

    /// The `NAME`s of the `# NAME=` lines of an `.env.example` text.
    static func variableNames(_ text: String) -> Set<String> {
        Set(text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("# "), let equals = line.firstIndex(of: "=") else { return nil }
            let name = line[line.index(line.startIndex, offsetBy: 2)..<equals]
            return name.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "_" } && !name.isEmpty ? String(name) : nil
        })
    }

    /// The root `.env.example` is the platform's (`ingestctl env --platform`) and each source folder's is that
    /// source's (`ingestctl env <source>`), so a new source edits no file outside its folder; `ingestctl env`
    /// alone prints every variable of them all.
    @Test func envExampleIsWhatIngestctlEnvPrints() async throws {
        let directory = try Ingestctl.workingDirectory()
        let platform = try await Ingestctl.run(["env", "--platform"], environment: [:], in: directory)
        #expect(platform.status == 0, "\(platform.stderr)")
        let file = try String(contentsOf: Self.root.appendingPathComponent(".env.example"), encoding: .utf8)
        #expect(file == platform.stdout, "regenerate it: swift run ingestctl env --platform > .env.example")
        #expect(platform.stdout.contains("# WAREHOUSE_URL="))
        #expect(platform.stdout.contains("Sources/Sources/<Name>/.env.example"), "the root file says where the sources' variables are")

        var everyFile = Self.variableNames(platform.stdout)
        for folder in try Self.sourceFolders() {
            let name = Self.snakeCase(folder)
            let result = try await Ingestctl.run(["env", name], environment: [:], in: directory)
            #expect(result.status == 0, "\(result.stderr)")
            let path = "Sources/Sources/\(folder)/.env.example"
            let text = try? String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
            #expect(text == result.stdout, "regenerate it: swift run ingestctl env \(name) > \(path)")
            #expect(!Self.variableNames(file).contains { $0.hasPrefix(name.uppercased() + "_") }, "the root file lists \(name)'s variables")
            everyFile.formUnion(Self.variableNames(result.stdout))
        }

        let result = try await Ingestctl.run(["env"], environment: [:], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.variableNames(result.stdout) == everyFile, "ingestctl env prints every variable of the .env.example files, and only those")
        for variable in ["ACME_PORTAL_BASE_URL", "TALENT_PORTAL_BASE_URL", "WAREHOUSE_URL"] {
            #expect(result.stdout.contains("# \(variable)="))
        }
        // A secret is marked and shows no sample value.
        #expect(result.stdout.contains("(secret)\n# ACME_PORTAL_API_TOKEN=\n"))

        let unknown = try await Ingestctl.run(["env", "no_such_source"], environment: [:], in: directory)
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("no registered source is named no_such_source"), "\(unknown.stderr)")
    }
}
