import Foundation
import IngestKit
import WeatherFeedSource

// Runs weather_feed.observations through IngestKit's public API, as `ingestctl run` would:
// extract to bronze, load silver, build and test the models, the success gate, the run ledger.
//
// The stores come from the environment (and a `.env` in the working folder), as for ingestctl:
// nothing set means the embedded default under .ingest/ (bronze in a folder, silver in SQLite);
// WAREHOUSE_URL=postgres://… and LAKEHOUSE_URL=s3://… select PostgreSQL and S3. The API's address
// is WEATHER_FEED_BASE_URL.
//
// Prints the run's summary and the silver and mart row counts; exits 0 when the run succeeded
// (the success gate passed), 1 when it failed, 2 when it could not start (the error, secrets removed).
let registry = SourceRegistry([WeatherFeedSource()])
do {
    let platform = try Platform.fromEnvironment(say: { print($0) })
    let report = try await platform.run("weather_feed.observations", in: registry)
    print(report.summary)
    guard report.status == .succeeded else { exit(1) }
    let counts = try await platform.withWarehouse { warehouse in
        (silver: try await warehouse.execute("SELECT count(*) AS n FROM weather_feed.observations").first?["n"] ?? "0",
         marts: try await warehouse.execute("SELECT count(*) AS n FROM marts.fct_daily_weather").first?["n"] ?? "0")
    }
    print("rows: \(counts.silver) in weather_feed.observations, \(counts.marts) in marts.fct_daily_weather")
} catch {
    FileHandle.standardError.write(Data("error: \(error.redactedDescription)\n".utf8))
    exit(2)
}
