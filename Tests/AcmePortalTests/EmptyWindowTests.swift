import AcmePortal
import Foundation
@testable import IngestKit
import IngestTestSupport
import Testing

/// A scheduler's window in which the source had nothing: a quiet hour is a success, not a parser fault, when the
/// API says so (its total is 0), in one process and with each step a process of its own (Airflow); without such a
/// total, the gate's failure says what to declare.
@Suite struct EmptyWindowTests {
    static let token = "acme-empty-window-token-3b8f"
    let registry = SourceRegistry([AcmePortalSource()])
    let empty = try! ExtractionWindow.parse(start: "2030-01-01T00:00:00Z", end: "2030-01-01T01:00:00Z")!

    @Test(arguments: WarehouseKind.allCases)
    func aWindowTheAPIDeclaresEmptySucceedsWithANoticeInOneProcessAndStaged(_ kind: WarehouseKind) async throws {
        let server = try await AcmeDemoAPI(orders: 200, token: Self.token).start()
        defer { Task { await server.stop() } }
        let test = try await TestPlatform.make(kind, ["ACME_PORTAL_BASE_URL": server.baseURL, "ACME_PORTAL_API_TOKEN": Self.token])
        let whole = try await test.platform.run("acme_portal.orders", in: registry, options: RunOptions(window: empty))
        #expect(whole.succeeded, "\(whole.error ?? "")")
        #expect(whole.counts.parsed == 0 && whole.counts.artifacts == 1)
        #expect(whole.notices.contains { $0.contains("is empty: the source's total for it is 0") }, "\(whole.notices)")

        // Each step a call of its own, as a process of its own runs it (a call's notes end with it): the gate reads
        // what the extract learnt from the run's bronze manifest.
        var last: RunReport?
        for step in [RunStep.extract, .load, .gate] {
            last = try await test.platform.run("acme_portal.orders", in: registry, options: RunOptions(steps: [step], runId: "quiet-hour", window: empty))
            #expect(last?.succeeded == true, "\(step): \(last?.error ?? "")")
        }
        #expect(last?.gate?.passed == true)
        #expect(last?.notices.contains { $0.contains("is empty") } == true, "\(last?.notices ?? [])")
    }

    @Test func withoutADeclaredTotalAnEmptyWindowFailsTheGateSayingWhatToDeclare() throws {
        var report = RunReport(runId: "r1", source: "s", dataset: "d", startedAt: LocalTimestamp(iso: "2026-11-30 00:00:00.000")!, warehouse: "w", bronze: "b")
        report.steps = [RunReport.Step(name: .extract, status: .succeeded, seconds: 0), RunReport.Step(name: .load, status: .succeeded, seconds: 0)]
        report.counts.artifacts = 1
        report.run.windowStart = "2030-01-01T00:00:00Z"
        report.run.windowEnd = "2030-01-01T01:00:00Z"
        let gate = SuccessGate()
        let failures = gate.failures(of: report)
        #expect(failures.count == 1)
        #expect(failures.first?.contains("0 records parsed in the window 2030-01-01T00:00:00Z – 2030-01-01T01:00:00Z") == true, "\(failures)")
        #expect(failures.first?.contains("SuccessGate(minRowsParsed: 0)") == true, "\(failures)")
        // Declared empty by the source: nothing to parse, nothing failed.
        #expect(gate.failures(of: report, context: SuccessGate.Context(declaredTotalForTest: 0)).isEmpty)
        // A whole extract (no window) the source declares empty still fails: a dataset that suddenly holds nothing is news.
        report.run.windowStart = nil
        report.run.windowEnd = nil
        #expect(gate.failures(of: report, context: SuccessGate.Context(declaredTotalForTest: 0)).first?.contains("check that the parser navigates") == true)
    }
}

extension SuccessGate.Context {
    init(declaredTotalForTest total: Int) {
        self.init()
        declaredTotal = total
    }
}
