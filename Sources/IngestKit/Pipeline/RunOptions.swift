import IngestCommon

/// How to run a dataset: which steps, under which run id, and whether to re-read an earlier run's bronze.
public struct RunOptions: Sendable {
    /// The selected steps; preflight always runs, and without `runId` the gate always runs too.
    public var steps: Set<RunStep>
    /// Parse and load this earlier run's bronze instead of extracting.
    public var fromRun: String?
    /// Overrides the dataset's default lookback.
    public var lookbackDays: Int?
    /// Continue (or start) the run with this id: its steps may run in separate processes,
    /// on any machine, handing over through bronze and `staging.ingestion_state`.
    /// `nil`: a new run id, and this process does the whole run.
    public var runId: String?
    /// Parse and load these stored runs again, in this order, instead of extracting (`ingestctl replay`).
    public var replay: [String]?
    /// The interval the extract covers, from a scheduler; it replaces the lookback and the watermark.
    public var window: ExtractionWindow?
    /// With `runId`: extract the run again although its load committed, replacing the bronze its silver rows
    /// name (`ingestctl run --force`). Without it such a re-extract is refused before anything is written.
    package var force = false
    /// Called once the run has its report (run id, dataset, start time), before preflight:
    /// where the OpenLineage START event is sent (see `RunObserver`).
    public var onStart: (@Sendable (RunReport) async -> Void)?

    public init(steps: Set<RunStep> = Set(RunStep.selectable), fromRun: String? = nil, lookbackDays: Int? = nil,
                runId: String? = nil, window: ExtractionWindow? = nil, replay: [String]? = nil) {
        self.window = window
        self.replay = replay
        self.steps = fromRun == nil && replay == nil ? steps : steps.subtracting([.extract])
        self.fromRun = fromRun
        self.lookbackDays = lookbackDays
        self.runId = runId
    }

    /// The stored runs the load reads instead of this run's own bronze.
    var bronzeRuns: [String] { replay ?? fromRun.map { [$0] } ?? [] }

    /// Whether this process evaluates the success gate: when selected, and always in a one-process run.
    public var runsGate: Bool { steps.contains(.gate) || runId == nil }

    /// Parses `--steps extract,load,models,gate`.
    public static func steps(_ text: String) throws -> Set<RunStep> {
        var steps = Set<RunStep>()
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            if name == RunStep.preflight.rawValue { continue }  // it always runs: `--steps preflight` runs only it
            guard let step = RunStep(rawValue: name), RunStep.selectable.contains(step) else {
                throw IngestError("unknown step \"\(name)\"",
                                  fix: "choose among \(RunStep.selectable.map(\.rawValue).joined(separator: ", ")) (comma-separated; preflight always runs)")
            }
            steps.insert(step)
        }
        return steps
    }

    /// Checks a `--run-id`: it becomes part of bronze keys and the ledger's key.
    public static func checkRunId(_ runId: String) throws {
        guard Bronze.isSafeArtifactId(runId), runId.count <= 128 else {
            throw IngestError("run id \"\(runId)\" cannot name a run",
                              fix: "use at most 128 letters, digits, _, - and . (not starting with .), e.g. scheduled__2026-11-30T02-00-00-a1b2c3d4")
        }
    }
}
