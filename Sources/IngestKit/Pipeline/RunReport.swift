import Foundation
import IngestCommon

/// The steps of a run, in order. Preflight always runs; `--steps` picks among the others.
/// Without `--run-id` the gate always runs too (one process does the whole run).
/// Stored and printed as its name (`"load"`), and comparable with a name as text (`NamedStatus`).
public enum RunStep: String, NamedStatus, CaseIterable {
    case preflight
    case extract
    case load
    case models
    case gate

    /// Steps a user can select with `--steps`.
    public static let selectable: [RunStep] = [.extract, .load, .models, .gate]
}

extension LocalTimestamp {
    /// `date` to the microsecond: what the ledger and the report's JSON keep, so a run's time read back
    /// from either is the time it had in memory (and figures derived from both agree).
    static func run(_ date: Date) -> LocalTimestamp {
        let exact = LocalTimestamp(date)
        return LocalTimestamp(iso: exact.description) ?? exact
    }
}

/// Everything about one run, as printed and as written by `--report` (JSON, with `schema_version`).
public struct RunReport: Sendable, Codable {
    /// The version of the `--report` JSON's shape; it grows when a key changes meaning or goes.
    public static let schemaVersion = 1

    /// What a run stored and loaded: its artifacts and bytes, and the load's counts (`LoadCounts`),
    /// read and written as `counts.parsed`, `counts.inserted`, … and encoded as one flat object.
    @dynamicMemberLookup
    public struct Counts: Sendable, Codable, Hashable {
        public var artifacts = 0
        public var bytes = 0
        /// The load's share of the counts (everything but artifacts and bytes).
        public var load = LoadCounts()

        public init() {}

        public subscript<T>(dynamicMember keyPath: WritableKeyPath<LoadCounts, T>) -> T {
            get { load[keyPath: keyPath] }
            set { load[keyPath: keyPath] = newValue }
        }

        enum CodingKeys: String, CodingKey { case artifacts, bytes }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            artifacts = try c.decode(Int.self, forKey: .artifacts)
            bytes = try c.decode(Int.self, forKey: .bytes)
            load = try LoadCounts(from: decoder)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(artifacts, forKey: .artifacts)
            try c.encode(bytes, forKey: .bytes)
            try load.encode(to: encoder)
        }
    }

    /// One step of the run: which, how it ended, and how long it took (seconds).
    public struct Step: Sendable, Codable, Hashable {
        public var name: RunStep
        public var status: StepStatus
        public var seconds: Double
    }

    public struct Gate: Sendable, Codable, Hashable {
        public var passed: Bool
        public var failures: [String]
    }

    public var runId: String
    public var source: String
    public var dataset: String
    public var status: RunStatus = .failed
    /// When the run started and finished (UTC), written `YYYY-MM-DD HH:MM:SS[.ffffff]`.
    public var startedAt: LocalTimestamp
    public var finishedAt: LocalTimestamp?
    public var warehouse: String
    public var bronze: String
    /// The bronze prefix the load read (this run's, or `--from-run`'s).
    public var bronzePrefix: String?
    public var fromRunId: String?
    public var counts = Counts()
    public var steps: [Step] = []
    public var gate: Gate?
    public var watermark: String?
    /// The models build that ended the run (`build --select stg_<source>__<dataset>+`).
    public var models: ModelResults.Summary?
    public var modelsPublished: Bool?
    public var error: String?
    /// The reasons of the first rejected items (at most 3); all are in `<schema>.<table>__rejects`.
    public var rejectSamples: [String] = []
    /// Schema drift: keys the artifacts' items carried that the item type never reads, as dotted
    /// paths (`customer.phone`) with how many items carried each and one example value.
    public var drift: [SchemaDrift.Key] = []
    /// Why the extract stopped reading pages (e.g. `the API's total of 25 records was reached`); nil when the
    /// extractor does not page or the extract did not run.
    public var stopReason: String?
    /// What the user should know although the run did not fail (e.g. a lone surrogate read as U+FFFD).
    public var notices: [String] = []
    /// The bronze partition date of the run's artifacts (`ingest_date=` in their keys).
    public var ingestDate: String?
    /// The window the scheduler gave the extract (`--window-start`/`--window-end`, ISO-8601), if any.
    public var windowStart: String?
    public var windowEnd: String?
    /// The stored runs a replay parsed again, in the order it loaded them (`ingestctl replay`).
    public var replayedRuns: [String]?

    enum CodingKeys: String, CodingKey {
        case runId = "run_id"
        case modelsPublished = "models_published"
        case source, dataset, status, warehouse, bronze, counts, steps, gate, watermark, error, models
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case bronzePrefix = "bronze_prefix"
        case fromRunId = "from_run_id"
        case rejectSamples = "reject_samples"
        case drift
        case stopReason = "stop_reason"
        case notices
        case ingestDate = "ingest_date"
        case windowStart = "window_start"
        case windowEnd = "window_end"
        case replayedRuns = "replayed_runs"
    }

    enum SchemaVersionKey: String, CodingKey { case schemaVersion = "schema_version" }

    public func ran(_ step: RunStep) -> Bool {
        steps.contains { $0.name == step && $0.status != .skipped }
    }

    public var succeeded: Bool { status == .succeeded }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    // Encode optionals as explicit nulls so readers can rely on every key being present.
    public func encode(to encoder: any Encoder) throws {
        var version = encoder.container(keyedBy: SchemaVersionKey.self)
        try version.encode(Self.schemaVersion, forKey: .schemaVersion)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(runId, forKey: .runId)
        try c.encode(source, forKey: .source)
        try c.encode(dataset, forKey: .dataset)
        try c.encode(status, forKey: .status)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(warehouse, forKey: .warehouse)
        try c.encode(bronze, forKey: .bronze)
        try c.encode(bronzePrefix, forKey: .bronzePrefix)
        try c.encode(fromRunId, forKey: .fromRunId)
        try c.encode(counts, forKey: .counts)
        try c.encode(steps, forKey: .steps)
        try c.encode(gate, forKey: .gate)
        try c.encode(watermark, forKey: .watermark)
        try c.encode(models, forKey: .models)
        try c.encode(modelsPublished, forKey: .modelsPublished)
        try c.encode(error, forKey: .error)
        try c.encode(rejectSamples, forKey: .rejectSamples)
        try c.encode(drift, forKey: .drift)
        try c.encode(stopReason, forKey: .stopReason)
        try c.encode(notices, forKey: .notices)
        try c.encode(ingestDate, forKey: .ingestDate)
        try c.encode(windowStart, forKey: .windowStart)
        try c.encode(windowEnd, forKey: .windowEnd)
        try c.encode(replayedRuns, forKey: .replayedRuns)
    }
}
