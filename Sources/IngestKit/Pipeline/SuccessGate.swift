/// Decides whether a run succeeded, from its metrics. The exit status follows the gate.
public struct SuccessGate: Sendable {
    /// Fewest rows the load step must parse (default 1: "0 records parsed" fails the run).
    public var minRowsParsed: Int
    /// Fewest artifacts the extract step must store.
    public var minArtifacts: Int
    /// Extra checks: each returns a failure message, or `nil` when the run passes it.
    public var checks: [@Sendable (RunReport) -> String?]

    public init(minRowsParsed: Int = 1, minArtifacts: Int = 1, checks: [@Sendable (RunReport) -> String?] = []) {
        self.minRowsParsed = minRowsParsed
        self.minArtifacts = minArtifacts
        self.checks = checks
    }

    /// The failures of a run; empty means the gate passes.
    public func failures(of report: RunReport) -> [String] {
        var failures: [String] = []
        if report.ran(.extract), report.counts.artifacts < minArtifacts {
            failures.append("\(report.counts.artifacts) artifacts extracted (at least \(minArtifacts) expected)")
        }
        if report.ran(.load), report.counts.parsed < minRowsParsed {
            failures.append("\(report.counts.parsed) records parsed (at least \(minRowsParsed) expected): check that the parser navigates to the right JSON path")
        }
        if let models = report.models, report.ran(.models) {
            if models.failed > 0 || models.skipped > 0 { failures.append("\(models.failed) models failed and \(models.skipped) were skipped") }
            if models.testsFailed > 0 { failures.append("\(models.testsFailed) data tests failed") }
            if report.modelsPublished == false { failures.append("the models were not published") }
        }
        for check in checks {
            if let failure = check(report) { failures.append(failure) }
        }
        return failures
    }
}
