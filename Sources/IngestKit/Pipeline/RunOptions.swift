import IngestCommon

/// How to run a dataset: which steps, and whether to re-read an earlier run's bronze.
public struct RunOptions: Sendable {
    /// The selected steps; preflight and the gate always run.
    public var steps: Set<RunStep>
    /// Parse and load this earlier run's bronze instead of extracting.
    public var fromRun: String?
    /// Overrides the dataset's default lookback.
    public var lookbackDays: Int?
    /// Called once the run has its report (run id, dataset, start time), before preflight:
    /// where the OpenLineage START event is sent (see `RunObserver`).
    public var onStart: (@Sendable (RunReport) async -> Void)?

    public init(steps: Set<RunStep> = Set(RunStep.selectable), fromRun: String? = nil, lookbackDays: Int? = nil) {
        self.steps = fromRun == nil ? steps : steps.subtracting([.extract])
        self.fromRun = fromRun
        self.lookbackDays = lookbackDays
    }

    /// Parses `--steps extract,load,models`.
    public static func steps(_ text: String) throws -> Set<RunStep> {
        var steps = Set<RunStep>()
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let step = RunStep(rawValue: name), RunStep.selectable.contains(step) else {
                throw IngestError("unknown step \"\(name)\"",
                                  fix: "choose among \(RunStep.selectable.map(\.rawValue).joined(separator: ", ")) (comma-separated)")
            }
            steps.insert(step)
        }
        return steps
    }
}
