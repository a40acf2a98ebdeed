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
///
/// The run itself is `run`, the value the ledger keeps (`staging.ingestion_state`); its fields read and write
/// through the report as before (`report.runId`, `report.counts.parsed`, `report.error`, …). The report adds only
/// what the ledger does not keep: where the stores are, the bronze prefix the load read, the gate's reasons,
/// rejected-item samples, why the extract stopped paging, and notices.
@dynamicMemberLookup
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

    /// The run, as the ledger keeps it.
    public var run: RunRecord
    /// Where silver and bronze are (`WarehouseConfiguration`'s and the object store's locations).
    public var warehouse: String
    public var bronze: String
    /// The bronze prefix the load read (this run's, or `--from-run`'s).
    public var bronzePrefix: String?
    public var gate: Gate?
    /// The reasons of the first rejected items (at most 3); all are in `<schema>.<table>__rejects`.
    public var rejectSamples: [String] = []
    /// Why the extract stopped reading pages (e.g. `the API's total of 25 records was reached`); nil when the
    /// extractor does not page or the extract did not run.
    public var stopReason: String?
    /// The API's total that the extract did not reach, with the figures (`PageStop.allowShortTotal` let it load
    /// what arrived; the gate's `failOnShortTotal` decides); nil when every record the API counted was read,
    /// or this process did not extract.
    public var totalNotReached: String?
    /// What the user should know although the run did not fail (e.g. a lone surrogate read as U+FFFD).
    public var notices: [String] = []
    /// Whether the load replays stored runs (`ingestctl replay`): `run.fromRuns` are then `replayed_runs`,
    /// not `from_run_id`. Set when the first replayed run is loaded.
    var replays = false

    public init(runId: String, source: String, dataset: String, startedAt: LocalTimestamp, warehouse: String, bronze: String) {
        run = RunRecord(runId: runId, source: source, dataset: dataset, status: .failed, startedAt: startedAt)
        self.warehouse = warehouse
        self.bronze = bronze
    }

    /// The run's fields, read and written as the report's own (`report.status`, `report.counts`).
    public subscript<T>(dynamicMember keyPath: WritableKeyPath<RunRecord, T>) -> T {
        get { run[keyPath: keyPath] }
        set { run[keyPath: keyPath] = newValue }
    }

    /// The stored run whose bronze the load parsed (`--from-run`), if any.
    public var fromRunId: String? { replays ? nil : run.fromRuns.first }
    /// The stored runs a replay parsed again, in the order it loaded them (`ingestctl replay`); `nil` when not a replay.
    public var replayedRuns: [String]? { replays ? run.fromRuns : nil }

    public func ran(_ step: RunStep) -> Bool { run.ran(step) }

    /// How `error` starts when the run failed before its ledger row was written (a warehouse refusing
    /// connections, another run holding the dataset past the wait): the ledger has no trace of it yet.
    package static let failedToStart = "failed to start: "

    /// Whether the run failed before any step ran, because the warehouse could not be reached.
    package var couldNotStart: Bool { run.error?.hasPrefix(Self.failedToStart) == true && run.steps.isEmpty }

    public var succeeded: Bool { run.succeeded }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

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
        case totalNotReached = "total_not_reached"
        case notices
        case ingestDate = "ingest_date"
        case windowStart = "window_start"
        case windowEnd = "window_end"
        case replayedRuns = "replayed_runs"
    }

    enum SchemaVersionKey: String, CodingKey { case schemaVersion = "schema_version" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        run = RunRecord(runId: try c.decode(String.self, forKey: .runId), source: try c.decode(String.self, forKey: .source),
                        dataset: try c.decode(String.self, forKey: .dataset), status: try c.decode(RunStatus.self, forKey: .status),
                        startedAt: try c.decode(LocalTimestamp.self, forKey: .startedAt))
        run.finishedAt = try c.decodeIfPresent(LocalTimestamp.self, forKey: .finishedAt)
        run.counts = try c.decode(Counts.self, forKey: .counts)
        run.error = try c.decodeIfPresent(String.self, forKey: .error)
        run.watermark = try c.decodeIfPresent(String.self, forKey: .watermark)
        run.steps = try c.decode([Step].self, forKey: .steps)
        run.ingestDate = try c.decodeIfPresent(String.self, forKey: .ingestDate)
        run.windowStart = try c.decodeIfPresent(String.self, forKey: .windowStart)
        run.windowEnd = try c.decodeIfPresent(String.self, forKey: .windowEnd)
        run.models = try c.decodeIfPresent(ModelResults.Summary.self, forKey: .models)
        run.modelsPublished = try c.decodeIfPresent(Bool.self, forKey: .modelsPublished)
        run.drift = try c.decode([SchemaDrift.Key].self, forKey: .drift)
        let replayed = try c.decodeIfPresent([String].self, forKey: .replayedRuns)
        replays = replayed != nil
        let fromRunId = try c.decodeIfPresent(String.self, forKey: .fromRunId)
        run.fromRuns = replayed ?? fromRunId.map { [$0] } ?? []
        warehouse = try c.decode(String.self, forKey: .warehouse)
        bronze = try c.decode(String.self, forKey: .bronze)
        bronzePrefix = try c.decodeIfPresent(String.self, forKey: .bronzePrefix)
        gate = try c.decodeIfPresent(Gate.self, forKey: .gate)
        rejectSamples = try c.decode([String].self, forKey: .rejectSamples)
        stopReason = try c.decodeIfPresent(String.self, forKey: .stopReason)
        totalNotReached = try c.decodeIfPresent(String.self, forKey: .totalNotReached)
        notices = try c.decode([String].self, forKey: .notices)
    }

    // Encode optionals as explicit nulls so readers can rely on every key being present.
    public func encode(to encoder: any Encoder) throws {
        var version = encoder.container(keyedBy: SchemaVersionKey.self)
        try version.encode(Self.schemaVersion, forKey: .schemaVersion)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(run.runId, forKey: .runId)
        try c.encode(run.source, forKey: .source)
        try c.encode(run.dataset, forKey: .dataset)
        try c.encode(run.status, forKey: .status)
        try c.encode(run.startedAt, forKey: .startedAt)
        try c.encode(run.finishedAt, forKey: .finishedAt)
        try c.encode(warehouse, forKey: .warehouse)
        try c.encode(bronze, forKey: .bronze)
        try c.encode(bronzePrefix, forKey: .bronzePrefix)
        try c.encode(fromRunId, forKey: .fromRunId)
        try c.encode(run.counts, forKey: .counts)
        try c.encode(run.steps, forKey: .steps)
        try c.encode(gate, forKey: .gate)
        try c.encode(run.watermark, forKey: .watermark)
        try c.encode(run.models, forKey: .models)
        try c.encode(run.modelsPublished, forKey: .modelsPublished)
        try c.encode(run.error, forKey: .error)
        try c.encode(rejectSamples, forKey: .rejectSamples)
        try c.encode(run.drift, forKey: .drift)
        try c.encode(stopReason, forKey: .stopReason)
        try c.encode(totalNotReached, forKey: .totalNotReached)
        try c.encode(notices, forKey: .notices)
        try c.encode(run.ingestDate, forKey: .ingestDate)
        try c.encode(run.windowStart, forKey: .windowStart)
        try c.encode(run.windowEnd, forKey: .windowEnd)
        try c.encode(replayedRuns, forKey: .replayedRuns)
    }
}
