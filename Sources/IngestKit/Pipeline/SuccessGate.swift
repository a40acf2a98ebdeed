import Foundation

/// Decides whether a run succeeded, from its figures. The exit status follows the gate.
///
/// Declared beside the dataset (`public var gate: SuccessGate { … }`). Each policy that fails
/// adds one line naming the policy and the figure, e.g.
/// `max rejected-row ratio: 1 of 3 items rejected (33.3%, at most 0% allowed); first: …`.
/// A failing policy marks the run failed; silver keeps what the load wrote (nothing is rolled back).
public struct SuccessGate: Sendable {
    /// Fewest rows the load step must parse (default 1: "0 records parsed" fails the run).
    public var minRowsParsed: Int
    /// Fewest artifacts the extract step must store.
    public var minArtifacts: Int
    /// Largest drop in rows parsed against the last successful run, in percent (e.g. 50: a run
    /// parsing fewer than half the rows of the last success fails); `nil` (the default): off.
    public var maxDropPercent: Double?
    /// Largest share of rejected items, `rejected / (parsed + rejected)`, from 0 to 1. Default 0:
    /// the good rows are loaded and one rejected item fails the run, saying why.
    public var maxRejectedRatio: Double
    /// Whether the models built by the run must pass their data tests (default on).
    public var modelTestsMustPass: Bool
    /// The newest value of the freshness column (`Dataset.freshness.column`, default the
    /// ingested-at column) must be at most this many hours old after the load; `nil` (default): off.
    public var maxAgeHours: Double?
    /// Whether schema drift (keys in the artifacts that the item type never reads, or keys it reads that vanished from
    /// every item) fails the run (default off: a notice).
    public var failOnDrift: Bool
    /// Whether a run that read fewer records than the API's total fails (default off: a notice). It only applies
    /// to a dataset whose `PageStop.allowShortTotal` lets such a run load; without it the extract itself fails.
    public var failOnShortTotal: Bool
    /// Extra checks: each returns a failure message, or `nil` when the run passes it.
    public var checks: [@Sendable (RunReport) -> String?]

    public init(minRowsParsed: Int = 1, minArtifacts: Int = 1, maxDropPercent: Double? = nil, maxRejectedRatio: Double = 0,
                modelTestsMustPass: Bool = true, maxAgeHours: Double? = nil, failOnDrift: Bool = false,
                failOnShortTotal: Bool = false, checks: [@Sendable (RunReport) -> String?] = []) {
        self.minRowsParsed = minRowsParsed
        self.minArtifacts = minArtifacts
        self.maxDropPercent = maxDropPercent
        self.maxRejectedRatio = maxRejectedRatio
        self.modelTestsMustPass = modelTestsMustPass
        self.maxAgeHours = maxAgeHours
        self.failOnDrift = failOnDrift
        self.failOnShortTotal = failOnShortTotal
        self.checks = checks
    }

    /// What the gate knows beyond the report: figures the pipeline reads from the warehouse.
    public struct Context: Sendable {
        /// Rows parsed by the last successful run of the dataset; `nil` before the first success.
        public var lastSuccessRowsParsed: Int?
        /// Age in hours of the newest value of the freshness column; `nil` when the table has no rows.
        public var newestAgeHours: Double?
        /// The freshness column.
        public var freshnessColumn: String?
        /// The records the source said it holds for the run (an API's total, all read); `nil` when it said nothing.
        /// A scheduler's window the source declared empty (0) passes `minRowsParsed`: there was nothing to parse.
        public var declaredTotal: Int?

        public init(lastSuccessRowsParsed: Int? = nil, newestAgeHours: Double? = nil, freshnessColumn: String? = nil) {
            self.lastSuccessRowsParsed = lastSuccessRowsParsed
            self.newestAgeHours = newestAgeHours
            self.freshnessColumn = freshnessColumn
        }
    }

    /// A scheduler's window for which the source said it holds no records, and none were read.
    static func isDeclaredEmptyWindow(_ report: RunReport, _ context: Context) -> Bool {
        report.run.windowStart != nil && context.declaredTotal == 0 && report.counts.parsed == 0
    }

    private static func percent(_ value: Double) -> String { String(format: "%g%%", (value * 1000).rounded() / 10) }

    /// The failures of a run; empty means the gate passes.
    public func failures(of report: RunReport, context: Context = Context()) -> [String] {
        var failures: [String] = []
        if report.ran(.extract), report.counts.artifacts < minArtifacts {
            failures.append("min artifacts: \(report.counts.artifacts) artifacts extracted (at least \(minArtifacts) expected)")
        }
        if report.ran(.load) {
            let parsed = report.counts.parsed, rejected = report.counts.rejected
            if parsed < minRowsParsed, !Self.isDeclaredEmptyWindow(report, context) {
                if let start = report.run.windowStart {
                    failures.append("min rows parsed: \(parsed) records parsed in the window \(start) – \(report.run.windowEnd ?? "…") (at least \(minRowsParsed) expected), "
                                    + "and the source declared no total for it: if it had no records then, declare gate: SuccessGate(minRowsParsed: 0) "
                                    + "on the dataset (or a total path on its extractor, so an empty window is known as empty); "
                                    + "otherwise check that the parser navigates to the right JSON path")
                } else {
                    failures.append("min rows parsed: \(parsed) records parsed (at least \(minRowsParsed) expected): check that the parser navigates to the right JSON path")
                }
            }
            if rejected > 0 {
                let ratio = Double(rejected) / Double(parsed + rejected)
                if ratio > maxRejectedRatio {
                    let first = report.rejectSamples.first.map { "; first: \($0)" } ?? ""
                    failures.append("max rejected-row ratio: \(rejected) of \(parsed + rejected) items rejected (\(Self.percent(ratio)), at most \(Self.percent(maxRejectedRatio)) allowed; `ingestctl rejects \(report.source).\(report.dataset) --run \(report.runId)` lists them)\(first)")
                }
            }
            if let maxDropPercent, let last = context.lastSuccessRowsParsed, last > 0 {
                let drop = Double(last - parsed) / Double(last)
                if drop * 100 > maxDropPercent {
                    failures.append("max drop in rows parsed: \(parsed) rows parsed, \(Self.percent(drop)) fewer than the \(last) of the last successful run (at most \(String(format: "%g%%", maxDropPercent)) allowed)")
                }
            }
        }
        if failOnDrift, !report.drift.isEmpty {
            let unread = report.drift.filter { !$0.vanished }, vanished = report.drift.filter(\.vanished)
            var found: [String] = []
            if !unread.isEmpty { found.append("\(unread.count) keys the item type never reads (\(unread.map(\.path).joined(separator: ", ")))") }
            if !vanished.isEmpty {
                found.append("\(vanished.count) keys the item type reads vanished from every item (\(vanished.map(\.path).joined(separator: ", ")))")
            }
            failures.append("schema drift: " + found.joined(separator: "; "))
        }
        if failOnShortTotal, let shortfall = report.totalNotReached {
            failures.append("total not reached: \(shortfall)")
        }
        if let models = report.models, report.ran(.models) {
            if models.failed > 0 || models.skipped > 0 { failures.append("models must build: \(models.failed) models failed and \(models.skipped) were skipped") }
            if modelTestsMustPass, models.testsFailed > 0 { failures.append("model tests must pass: \(models.testsFailed) data tests failed") }
            if report.modelsPublished == false { failures.append("models must build: the models were not published") }
        }
        if let maxAgeHours {
            let column = context.freshnessColumn ?? "the freshness column"
            if let age = context.newestAgeHours {
                if age > maxAgeHours {
                    failures.append("freshness: the newest \(column) is \(String(format: "%.1f", age)) h old (at most \(String(format: "%g", maxAgeHours)) h allowed)")
                }
            } else {
                failures.append("freshness: no \(column) in the table (at most \(String(format: "%g", maxAgeHours)) h old allowed)")
            }
        }
        for check in checks {
            if let failure = check(report) { failures.append(failure) }
        }
        return failures
    }
}
