/// What a run reports while it goes, through `Platform.progress`.
public enum RunProgress: Sendable {
    /// The extract step stored another artifact: totals so far, and seconds since the step began.
    case extracting(artifacts: Int, bytes: Int, seconds: Double)
    /// A step ended (succeeded or failed), with the run's counts at that moment.
    case stepFinished(RunReport.Step, counts: RunReport.Counts)
}
