// swift-tools-version:6.0
import PackageDescription

// IngestKit used as a library from outside its repository: a source of its own, run from its own `main`
// (no ingestctl), and tested with IngestTesting. IngestKit comes by path; another project would write
// `.package(url: "https://github.com/<owner>/IngestKit", from: "…")` instead.
let package = Package(
    name: "WeatherFeed",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "IngestKit", path: "../.."),
    ],
    targets: [
        // The source: table, parser, dataset, models.
        .target(name: "WeatherFeedSource", dependencies: [.product(name: "IngestKit", package: "IngestKit")]),
        // The program: runs weather_feed.observations on the stores configured in the environment.
        .executableTarget(name: "weather-feed", dependencies: ["WeatherFeedSource", .product(name: "IngestKit", package: "IngestKit")]),
        .testTarget(name: "WeatherFeedTests", dependencies: [
            "WeatherFeedSource",
            .product(name: "IngestKit", package: "IngestKit"),
            .product(name: "IngestTesting", package: "IngestKit"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
