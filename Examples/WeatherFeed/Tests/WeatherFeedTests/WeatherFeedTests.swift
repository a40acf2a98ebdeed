import Foundation
import IngestKit
import IngestTesting
import Testing
import WeatherFeedSource

/// weather_feed.observations end to end with IngestTesting: the fixture served as the API on 127.0.0.1,
/// a scratch SQLite or PostgreSQL (INGEST_TEST_POSTGRES_URL) platform, silver and the mart checked.
@Suite struct WeatherFeedTests {
    let registry = SourceRegistry([WeatherFeedSource()])
    /// The example's fixture, also what scripts/example-test.sh serves to the program.
    static let page = try! Fixtures(folder: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fixtures").standardized.path).data("observations.json")

    @Test(arguments: WarehouseKind.allCases)
    func runsEndToEndAndTheRerunChangesNothing(_ kind: WarehouseKind) async throws {
        let api = try await RecordedAPI.start([.init(url: "/observations.json", body: Self.page)])
        let test = try await TestPlatform.make(kind, ["WEATHER_FEED_BASE_URL": api.baseURL])
        let first = try await test.platform.run("weather_feed.observations", in: registry)
        #expect(first.status == .succeeded, "\(first.error ?? "")")
        #expect(first.counts.inserted == 5)
        #expect(first.models?.testsFailed == 0)

        let silver = try await test.rows(of: "weather_feed.observations", by: "observation_id")
        #expect(silver["EHAM-2026-12-01T00"]?["temperature_c"] == "-0.5")
        #expect(silver["EHAM-2026-12-01T06"]?["wind_kmh"] == nil)
        let days = try await test.rows(of: "marts.fct_daily_weather", by: "day")
        #expect(days["2026-11-30"]?["observations"] == "3")
        #expect(days["2026-12-01"]?["max_wind_kmh"] == "9")
        let conditions = try await test.rows(of: "staging.stg_weather_feed__observations", by: "observation_id")
        #expect(conditions["EHAM-2026-11-30T18"]?["condition"] == "rain")
        #expect(conditions["EHAM-2026-12-01T06"]?["condition"] == "unknown")

        let rerun = try await test.platform.run("weather_feed.observations", in: registry)
        await api.stop()
        #expect(rerun.status == .succeeded)
        #expect(rerun.counts.inserted == 0)
        #expect(rerun.counts.unchanged == 5)
        #expect(api.unmatched.isEmpty)
    }
}
