import AcmePortal
import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// Issue 9 items 3, 4 and 5 on acme_portal.orders served by a local messy API, on both warehouses:
/// rejected items kept in `acme_portal.orders__rejects`, each success-gate policy failing a run,
/// and schema drift reported for fields the item type never reads.
/// Serialized: each case runs a pipeline with its models, and the whole suite's PostgreSQL has 200 connections
/// for every suite running at once (the merged suite ran out with these 16 cases in parallel).
@Suite(.serialized) struct RejectsGateDriftTests {
    typealias API = MessyOrdersAPI
    let registry = SourceRegistry([AcmePortalSource()])

    /// Runs `dataset` through the pipeline (no models) against pages served by the API, then `then` if given.
    func run(_ kind: WarehouseKind, _ dataset: Dataset, _ pages: [[String]], then next: [[String]]? = nil) async throws -> (TestPlatform, [RunReport]) {
        let (test, server) = try await API.start(kind, pages: pages)
        let platform = test.platform
        var reports: [RunReport] = []
        try await test.withWarehouse { warehouse in
            reports.append(await Pipeline(platform: platform, warehouse: warehouse).run(dataset))
        }
        if let next {
            await server.serve(next)
            try await test.withWarehouse { warehouse in
                reports.append(await Pipeline(platform: platform, warehouse: warehouse).run(dataset))
            }
        }
        await server.stop()
        return (test, reports)
    }

    func orderIds(_ test: TestPlatform) async throws -> [String] {
        try await test.withWarehouse { try await $0.execute("SELECT entity_id FROM acme_portal.orders ORDER BY entity_id") }
            .map { $0["entity_id"] ?? "" }
    }

    func ingestctl(_ test: TestPlatform, _ arguments: [String]) async throws -> Ingestctl.Result {
        var env = ["INGEST_HOME": test.home]
        if let url = test.settings["WAREHOUSE_URL"] { env["WAREHOUSE_URL"] = url }
        return try await Ingestctl.run(arguments, environment: env, in: try Ingestctl.workingDirectory())
    }

    // MARK: - Item 4: rejected rows, and the default reject-ratio policy

    /// A page with good orders and three bad ones (an invalid created_at, a total of the wrong type, a blank key):
    /// the good rows load, the bad ones are kept in `acme_portal.orders__rejects` with the reason and the raw item,
    /// counted `rejected` in the report, the ledger and the metrics, and the default gate fails the run saying why.
    @Test(arguments: WarehouseKind.allCases)
    func aPageWithBadItemsLoadsTheGoodRowsKeepsTheBadOnesAndFailsTheDefaultGate(_ kind: WarehouseKind) async throws {
        let items = [
            API.order("G-1", ["created_at": API.json("2024-03-10T10:00:00Z")]),
            API.order("G-2", ["total": "12.50"]),
            API.order("BAD-DATE", ["created_at": API.json("2024-03-10Tnonsense")]),
            API.order("BAD-TYPE", ["total": #"{"amount": 3}"#]),
            API.order(" ", ["name": API.json("blank key")]),
        ]
        let (test, server) = try await API.start(kind, pages: [items])
        let report = try await test.platform.run("acme_portal.orders", in: registry)
        await server.stop()

        #expect(report.status == "failed")
        #expect(report.counts.parsed == 2)
        #expect(report.counts.inserted == 2)
        #expect(report.counts.rejected == 3)
        #expect(try await orderIds(test) == ["G-1", "G-2"], "the good rows are loaded")
        let error = try #require(report.error)
        #expect(error.contains("max rejected-row ratio: 3 of 5 items rejected (60%, at most 0% allowed"), "\(error)")
        #expect(error.contains("page_00001, item 3 was rejected: order BAD-DATE has created_at"), "names the first reject: \(error)")
        #expect(report.gate?.passed == false)
        #expect(report.summary.contains("3 rejected"), "\(report.summary)")
        #expect(try String(decoding: report.json(), as: UTF8.self).contains("\"rejected\" : 3"))

        let rejects = try await test.platform.rejects("acme_portal.orders", runId: report.runId, in: registry)
        #expect(rejects.map(\.itemIndex) == [3, 4, 5])
        #expect(Set(rejects.map(\.artifactId)) == ["page_00001"])
        #expect(Set(rejects.map(\.runId)) == [report.runId])
        #expect(rejects[0].reason.contains("2024-03-10Tnonsense"))
        #expect(rejects[0].rawItem == #"{"id":"BAD-DATE","created_at":"2024-03-10Tnonsense"}"#)
        #expect(rejects[1].reason.contains("total"), "\(rejects[1].reason)")
        #expect(rejects[1].rawItem == #"{"id":"BAD-TYPE","total":{"amount":3}}"#)
        #expect(rejects[2].reason.contains("primary key entity_id is blank"), "\(rejects[2].reason)")
        #expect(rejects[2].rawItem == #"{"id":" ","name":"blank key"}"#)

        let ledger = try #require(try await test.platform.recentRuns("acme_portal.orders", in: registry).first)
        #expect(ledger.runId == report.runId)
        #expect(ledger.counts.rejected == 3, "the ledger row counts them")
        #expect(ledger.error?.contains("max rejected-row ratio") == true)
        let metrics = Monitoring.samples(MetricsExport.text([RunFigures(report: report, ledger: nil)]))
        #expect(metrics.value("ingest_last_run_rows_rejected", ["source": "acme_portal", "dataset": "orders"]) == 3)

        let listed = try await ingestctl(test, ["rejects", "acme_portal.orders", "--run", report.runId])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("\(report.runId)\tpage_00001\t4\t"), "\(listed.stdout)")
        #expect(listed.stdout.contains(#"{"id":"BAD-TYPE","total":{"amount":3}}"#))
        let none = try await ingestctl(test, ["rejects", "acme_portal.orders", "--run", "no-such-run"])
        #expect(none.stdout.contains("no rejected items in run no-such-run"))
    }

    /// A dataset may allow some rejects: 1 of 3 is within a 50% ratio, so the run succeeds with the reject kept.
    @Test(arguments: WarehouseKind.allCases)
    func aRejectRatioPolicyMayAllowSomeRejects(_ kind: WarehouseKind) async throws {
        let items = [API.order("A-1"), API.order("A-2"), API.order("A-3", ["created_at": API.json("2024-02-30")])]
        let (test, reports) = try await run(kind, gatedOrders(gate: SuccessGate(maxRejectedRatio: 0.5)), [items])
        #expect(reports[0].status == "succeeded", "\(reports[0].error ?? "")")
        #expect(reports[0].counts.rejected == 1)
        #expect(try await orderIds(test) == ["A-1", "A-2"])
        #expect(try await test.platform.rejects("acme_portal.orders", runId: nil, in: registry).count == 1)
    }

    /// An artifact that cannot be read at all still fails the run naming the artifact; nothing is kept as a reject.
    @Test(arguments: WarehouseKind.allCases)
    func anItemListThatIsNotAListStillFailsNamingTheArtifact(_ kind: WarehouseKind) async throws {
        let broken = gatedOrders(gate: SuccessGate(), parse: .parser(BrokenPageParser()))
        let (test, reports) = try await run(kind, broken, [[API.order("X-1")]])
        #expect(reports[0].status == "failed")
        #expect(reports[0].error?.contains("artifact page_00001 could not be parsed") == true, "\(reports[0].error ?? "")")
        #expect(try await orderIds(test).isEmpty)
        #expect(try await test.platform.rejects("acme_portal.orders", runId: nil, in: registry).isEmpty)
    }

    // MARK: - Item 3: each gate policy failing a run

    /// min rows parsed (default 1): a page with no orders fails the run.
    @Test(arguments: WarehouseKind.allCases)
    func minRowsParsedFailsARun(_ kind: WarehouseKind) async throws {
        let (_, reports) = try await run(kind, gatedOrders(gate: SuccessGate(minRowsParsed: 3)), [[API.order("M-1"), API.order("M-2")]])
        #expect(reports[0].status == "failed")
        #expect(reports[0].error?.contains("min rows parsed: 2 records parsed (at least 3 expected)") == true, "\(reports[0].error ?? "")")
    }

    /// max drop in rows parsed: 4 orders, then 1 — a 75% drop against a 50% limit fails the second run;
    /// silver keeps what the load wrote (no rollback).
    @Test(arguments: WarehouseKind.allCases)
    func maxDropInRowsParsedFailsARun(_ kind: WarehouseKind) async throws {
        let four = (1...4).map { API.order("D-\($0)") }
        let (test, reports) = try await run(kind, gatedOrders(gate: SuccessGate(maxDropPercent: 50)), [four],
                                            then: [[API.order("D-1", ["name": API.json("changed")])]])
        #expect(reports[0].status == "succeeded", "\(reports[0].error ?? "")")
        #expect(reports[1].status == "failed")
        #expect(reports[1].error?.contains("max drop in rows parsed: 1 rows parsed, 75% fewer than the 4 of the last successful run (at most 50% allowed)") == true,
                "\(reports[1].error ?? "")")
        #expect(try await orderIds(test) == ["D-1", "D-2", "D-3", "D-4"])
        let titles = try await test.withWarehouse { try await $0.execute("SELECT title FROM acme_portal.orders WHERE entity_id = 'D-1'") }
        #expect(titles.first?["title"] == "changed", "the failing policy did not roll back silver")
        let ledger = try await test.platform.recentRuns("acme_portal.orders", in: registry)
        #expect(ledger.first?.status == .failed && ledger.first?.error?.contains("max drop in rows parsed") == true)
    }

    /// model tests must pass (default on): an order whose status fails the accepted-values test fails the run.
    @Test(arguments: WarehouseKind.allCases)
    func modelTestsMustPassFailsARun(_ kind: WarehouseKind) async throws {
        let (test, server) = try await API.start(kind, pages: [[API.order("T-1", ["status": API.json("\u{7}")])]])
        let report = try await test.platform.run("acme_portal.orders", in: registry)
        await server.stop()
        #expect(report.status == "failed")
        #expect(report.error?.contains("model tests must pass: 1 data tests failed") == true, "\(report.error ?? "")")
        #expect(try await orderIds(test) == ["T-1"])
    }

    /// freshness: created_date must be at most 24 h old; orders from 2024 fail the run, their rows stay in silver.
    @Test(arguments: WarehouseKind.allCases)
    func freshnessFailsARun(_ kind: WarehouseKind) async throws {
        let items = [API.order("F-1", ["created_at": API.json("2024-03-10T10:00:00Z")])]
        let dataset = gatedOrders(gate: SuccessGate(maxAgeHours: 24), freshness: DatasetFreshness(column: "created_date"))
        let (test, reports) = try await run(kind, dataset, [items])
        #expect(reports[0].status == "failed")
        let error = reports[0].error ?? ""
        #expect(error.contains("freshness: the newest created_date is ") && error.contains("h old (at most 24 h allowed)"), "\(error)")
        #expect(try await orderIds(test) == ["F-1"])

        let today = CalendarDate(Date()).description
        let (_, fresh) = try await run(kind, dataset, [[API.order("F-2", ["created_at": API.json(today + "T00:00:00Z")])]])
        #expect(fresh[0].status == "succeeded", "an order from today passes: \(fresh[0].error ?? "")")
    }

    // MARK: - Item 5: schema drift

    /// Orders that gained `discount` and `customer.phone`: the run succeeds (drift is a notice by default) and reports
    /// both paths with a count and an example, in the report, the run output and the metrics; a dataset may fail on drift.
    @Test(arguments: WarehouseKind.allCases)
    func driftIsReportedForAddedFields(_ kind: WarehouseKind) async throws {
        let items = [
            API.completeOrder("S-1", ["discount": "5", "customer": #"{"id": "C1", "phone": "555-0100"}"#]),
            API.completeOrder("S-2", ["discount": "7.5", "customer": #"{"id": "C2"}"#]),
            API.completeOrder("S-3", ["lines": #"[{"sku": "A", "quantity": 1, "colour": "red"}]"#]),
        ]
        let (_, reports) = try await run(kind, gatedOrders(gate: SuccessGate()), [items])
        let report = reports[0]
        #expect(report.status == "succeeded", "\(report.error ?? "")")
        #expect(report.drift.map(\.path) == ["customer.phone", "discount", "lines.colour"])
        #expect(report.drift.map(\.count) == [1, 2, 1])
        #expect(report.drift.map(\.example) == [#""555-0100""#, "5", #""red""#])
        #expect(report.notices.contains { $0.hasPrefix("schema drift in acme_portal.orders: 3 keys the item type never reads: customer.phone (1 items") },
                "\(report.notices)")
        #expect(report.summary.contains("notice: schema drift in acme_portal.orders"), "printed with the run: \(report.summary)")
        let json = String(decoding: try report.json(), as: UTF8.self)
        #expect(json.contains("\"drift\" : [") && json.contains("\"path\" : \"customer.phone\""), "\(json)")
        let metrics = Monitoring.samples(MetricsExport.text([RunFigures(report: report, ledger: nil)]))
        #expect(metrics.value("ingest_last_run_drift_keys", ["source": "acme_portal", "dataset": "orders"]) == 3)

        let (_, strict) = try await run(kind, gatedOrders(gate: SuccessGate(failOnDrift: true)), [items])
        #expect(strict[0].status == "failed")
        #expect(strict[0].error?.contains("schema drift: 3 keys the item type never reads (customer.phone, discount, lines.colour)") == true,
                "\(strict[0].error ?? "")")
    }

    /// A run on separate processes (`--run-id`): the load step's drift is kept in the ledger row, so the gate step,
    /// run later by another pipeline, fails a dataset that fails on drift.
    @Test(arguments: WarehouseKind.allCases)
    func theGateStepOfAStagedRunSeesTheDriftItsLoadRecorded(_ kind: WarehouseKind) async throws {
        let dataset = gatedOrders(gate: SuccessGate(failOnDrift: true))
        let (test, server) = try await API.start(kind, pages: [[API.completeOrder("P-1", ["discount": "5"]), API.completeOrder("P-2")]])
        let platform = test.platform
        let runId = "staged-drift-\(kind)"
        let loaded = try await test.withWarehouse { warehouse in
            await Pipeline(platform: platform, warehouse: warehouse).run(dataset, options: RunOptions(steps: [.extract, .load], runId: runId))
        }
        await server.stop()
        #expect(loaded.status == "succeeded", "\(loaded.error ?? "")")
        let ledger = try #require(try await platform.recentRuns("acme_portal.orders", in: registry).first { $0.runId == runId })
        #expect(ledger.drift.map(\.path) == ["discount"] && ledger.drift.first?.example == "5", "\(ledger.drift)")
        let gate = try await test.withWarehouse { warehouse in
            await Pipeline(platform: platform, warehouse: warehouse).run(dataset, options: RunOptions(steps: [.gate], runId: runId))
        }
        #expect(gate.status == "failed")
        #expect(gate.error?.contains("schema drift: 1 keys the item type never reads (discount)") == true, "\(gate.error ?? "")")
    }

    /// A replay of two stored runs loads both, one after the other: their rejects, reject samples and drift
    /// add up in the one replay run (report and ledger), and the two runs' `page_00001` rejects are kept apart
    /// by naming their bronze run.
    @Test(arguments: WarehouseKind.allCases)
    func aReplayAddsUpTheRejectsAndDriftOfEveryRunItLoads(_ kind: WarehouseKind) async throws {
        let first = [API.completeOrder("R-1", ["discount": "5"]), API.completeOrder("R-2"), API.completeOrder("R-3", ["created_at": API.json("2024-02-30")])]
        let second = [API.completeOrder("R-4"), API.completeOrder("R-5", ["discount": "6"]), API.completeOrder("R-6", ["created_at": API.json("2024-02-30")])]
        let dataset = gatedOrders(gate: SuccessGate(maxRejectedRatio: 0.5))
        let (test, reports) = try await run(kind, dataset, [first], then: [second])
        #expect(reports.map(\.status) == ["succeeded", "succeeded"], "\(reports.map { $0.error ?? "" })")
        let runs = reports.map(\.runId)
        let platform = test.platform
        let replay = try await test.withWarehouse { warehouse in
            await Pipeline(platform: platform, warehouse: warehouse).run(dataset, options: RunOptions(steps: [.load], replay: runs))
        }
        #expect(replay.status == "succeeded", "\(replay.error ?? "")")
        #expect(replay.replayedRuns == runs)
        #expect(replay.counts.parsed == 4)
        #expect(replay.counts.rejected == 2, "both runs' rejects count")
        #expect(replay.rejectSamples.count == 2 && replay.rejectSamples[0].contains("R-3") && replay.rejectSamples[1].contains("R-6"),
                "\(replay.rejectSamples)")
        #expect(replay.drift.map(\.path) == ["discount"])
        #expect(replay.drift.map(\.count) == [2], "drift of both runs adds up")
        let rejects = try await platform.rejects("acme_portal.orders", runId: replay.runId, in: registry)
        #expect(Set(rejects.map(\.artifactId)) == Set(runs.map { "\($0)/page_00001" }), "\(rejects.map(\.artifactId))")
        #expect(rejects.allSatisfy { $0.itemIndex == 3 })
        let ledger = try #require(try await platform.recentRuns("acme_portal.orders", in: registry).first { $0.runId == replay.runId })
        #expect(ledger.counts.rejected == 2 && ledger.counts.parsed == 4)
        #expect(ledger.drift.map(\.path) == ["discount"] && ledger.drift.map(\.count) == [2], "the ledger keeps the drift: \(ledger.drift)")
    }
}

/// acme_portal.orders with a chosen gate (and parse function, and freshness column), no watermark, no window.
func gatedOrders(gate: SuccessGate, parse: ParseFunction<OrderRow> = .items(AcmePortalSource.parseOrders),
                 freshness: DatasetFreshness = DatasetFreshness()) -> Dataset {
    // The table as acme_portal declared it before the Dataset value (DeclarationParityTests: the same table).
    Dataset(table: LegacyOrdersTable.self, extractor: AcmeAPIExtractor(endpoint: "orders"), parse: parse, gate: gate, freshness: freshness)
}

/// A parser that looks for the orders under a key the page does not have: the artifact cannot be read at all.
struct BrokenPageParser: Parser {
    struct Wrong: Decodable { var orders: [JSONItem<Int>] }
    func parse(_ artifact: StoredArtifact) throws -> [OrderRow] {
        _ = try artifact.decodeJSON(Wrong.self)
        return []
    }
}
