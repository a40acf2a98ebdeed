import IngestKit

/// The weather_feed source: hourly observations of a weather station's API
/// (`GET <WEATHER_FEED_BASE_URL>/observations.json`, one page), into `weather_feed.observations`,
/// with a staging view and a daily mart.
public struct WeatherFeedSource: Source {
    public init() {}

    public static let sourceName = "weather_feed"

    public var datasets: [Dataset] { [Self.observations] }

    public var models: [any Model.Type] { [StgWeatherFeedObservations.self, FctDailyWeather.self] }

    public var variables: [SourceVariable] {
        [SourceVariable("WEATHER_FEED_BASE_URL", "the weather API's scheme, host and port", example: "http://127.0.0.1:8000", requirement: .required)]
    }
}

/// One observation, as stored in silver.
public struct ObservationRow: Sendable, Hashable {
    public var id: String
    public var observedAt: LocalTimestamp?
    public var temperatureC: ExactDecimal?
    public var windKmh: Int?
    public var condition: String?
}

/// A page of the API: `{"station": …, "observations": [...]}`, read into observation rows.
enum ObservationsPage {
    struct Page: Decodable { var observations: [Item] }
    struct Item: Decodable {
        var id: String
        var observed_at: String?
        var temperature_c: String?
        var wind_kmh: Int?
        var condition: String?
    }

    @Sendable static func parse(_ artifact: StoredArtifact) throws -> [ObservationRow] {
        try artifact.decodeJSON(Page.self).observations.map { item in
            ObservationRow(id: item.id, observedAt: item.observed_at.flatMap(LocalTimestamp.init(iso:)),
                           temperatureC: item.temperature_c.flatMap(ExactDecimal.init), windKmh: item.wind_kmh, condition: item.condition)
        }
    }
}

extension WeatherFeedSource {
    /// `weather_feed.observations`: one row per observation, keyed by its id, from the API's one page
    /// (declared: no extractor code). The SDK adds `bronze_object_path`, `checksum_sha256` and `ingested_at`.
    public static let observations = dataset(
        "observations",
        columns: [
            Column("observation_id", \ObservationRow.id, primaryKey: true),
            Column("observed_at", \.observedAt, index: true),
            Column("temperature_c", \.temperatureC),
            Column("wind_kmh", \.windKmh),
            Column("condition", \.condition),
        ],
        extractor: RESTExtractor(baseURLVariable: "WEATHER_FEED_BASE_URL", path: "/observations.json", recordsPath: "observations"),
        parse: .rows(ObservationsPage.parse),
        watermark: .latest(\.observedAt))
}

/// Staging: names cleaned, the condition lower-cased and trimmed.
public enum StgWeatherFeedObservations: Model {
    public static let name = "stg_weather_feed__observations"
    public static let layer = ModelLayer.staging
    public static let sql: SQL = """
        select observation_id, observed_at, temperature_c, wind_kmh,
               \(Portable.blankToDefault("lower(trim(condition))", "unknown")) as condition
        from \(source: WeatherFeedSource.observations)
        """
    public static let columns = [ModelColumn("observation_id", "the observation's id", tests: [.notNull, .unique])]
}

/// Marts: one row per UTC day, with its observations' count and strongest wind.
public enum FctDailyWeather: Model {
    public static let name = "fct_daily_weather"
    public static let layer = ModelLayer.marts
    public static let sql: SQL = """
        select \(Portable.dateOf("observed_at")) as day, count(*) as observations, max(wind_kmh) as max_wind_kmh
        from \(ref: StgWeatherFeedObservations.self)
        group by \(Portable.dateOf("observed_at"))
        """
    public static let columns = [ModelColumn("day", "the UTC day", tests: [.notNull, .unique])]
}
