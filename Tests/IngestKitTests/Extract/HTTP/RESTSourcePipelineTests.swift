import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// An API dataset whose extractor is only configuration, as a source author writes it.
let restItemsDataset = Dataset(
    table: ItemsTable.self,
    extractor: RESTExtractor(
        baseURLVariable: "ITEMS_BASE_URL", path: "/v1/items", auth: .apiKeyQuery(name: "key", variable: "ITEMS_KEY"),
        paginator: .nextURL(path: "next"), recordsPath: "results", incremental: IncrementalWindow(parameter: "since", fullLoadFirst: false),
        limits: HTTPLimits(timeout: .seconds(60), retry: fastRetry)),
    parse: .parser(ItemsParser()),
    watermark: .latest(\.day))

/// The declarative REST source end to end through the pipeline, on both warehouses.
@Suite struct RESTSourcePipelineTests {
    static let key = "items-api-key-5d1e"

    actor Mode {
        var failPage2 = false
        /// Cut page 2's body off instead of answering 500.
        var truncate = false
        func set(failPage2: Bool, truncate: Bool = false) {
            self.failPage2 = failPage2
            self.truncate = truncate
        }
    }

    /// 120 items in pages of 50 (`{"results", "next"}`); page 2 answers 500 while `failPage2` is set.
    func api(_ mode: Mode) async throws -> TestServer {
        let pages = itemPages(count: 120)
        return try await TestServer.start { request, _, base in
            guard request.query["key"] == Self.key else { return .json(#"{"detail": "bad key"}"#, status: 401) }
            guard request.path == "/v1/items", request.query["since"] != nil else { return .json("{}", status: 404) }
            let n = Int(request.query["page"] ?? "1") ?? 1
            if n == 2, await mode.failPage2, await !mode.truncate { return .json(#"{"detail": "down"}"#, status: 500) }
            guard n <= pages.count else { return .json("{}", status: 404) }
            var body = pages[n - 1]
            body.removeLast()
            let since = request.query["since"]!
            let next = n < pages.count ? #""\#(base)/v1/items?since=\#(since)&page=\#(n + 1)""# : "null"
            var response = LoopbackHTTPServer.Response.json(body + #", "next": \#(next)}"#)
            if n == 2, await mode.truncate { response.fault = .truncate(afterBytes: response.body.count / 2) }
            return response
        }
    }

    func run(_ test: TestPlatform, options: RunOptions = RunOptions()) async throws -> RunReport {
        try await test.run(restItemsDataset, options: options)
    }

    @Test(arguments: WarehouseKind.allCases)
    func runsEndToEndAndTheLastSuccessfulWatermarkReachesTheExtractor(_ kind: WarehouseKind) async throws {
        let mode = Mode()
        let server = try await api(mode)
        defer { Task { await server.stop() } }
        let test = try await TestPlatform.make(kind, ["ITEMS_BASE_URL": server.baseURL + "/", "ITEMS_KEY": Self.key])

        // First run: no watermark, so the window is the lookback.
        let lookback = [0, 1].map { CalendarDate(Date().addingTimeInterval(Double($0 * 86_400 - 30 * 86_400))).description }
        let first = try await run(test, options: RunOptions(lookbackDays: 30))
        #expect(first.status == "succeeded", "\(first.error ?? "")")
        #expect(first.counts.artifacts == 3)
        #expect(first.counts.inserted == 120)
        #expect(first.watermark == "2025-01-28")
        let firstSince = try #require(await server.requests.first?.query["since"])
        #expect(lookback.contains(firstSince), "since=\(firstSince), expected today - 30 days")

        // Bronze keeps the pages with the key masked in their URLs.
        let bronze = try test.platform.bronze(for: restItemsDataset)
        let manifest = try await bronze.manifest(runId: first.runId)
        #expect(manifest.artifacts.map(\.artifactId) == ["page_00001", "page_00002", "page_00003"])
        #expect(manifest.artifacts.allSatisfy { $0.extractionMethod == .apiJSON })
        #expect(manifest.artifacts.allSatisfy { $0.url.contains("key=***") && !$0.url.contains(Self.key) }, "\(manifest.artifacts.map(\.url))")
        let files = FileManager.default.enumerator(atPath: test.platform.lakehouseRoot)?.allObjects.compactMap { $0 as? String } ?? []
        #expect(files.contains { $0.hasSuffix(".meta.json") }, "provenance sidecars are checked too")
        for file in files {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: test.platform.lakehouseRoot + "/" + file))) ?? Data()
            #expect(!String(decoding: bytes, as: UTF8.self).contains(Self.key), "\(file) holds no key")
        }

        // A failed run does not move the window; the next run starts from the last successful watermark.
        await mode.set(failPage2: true)
        let failed = try await run(test)
        #expect(failed.status == "failed")
        await mode.set(failPage2: false)
        let before = await server.requests.count
        let third = try await run(test)
        #expect(third.status == "succeeded", "\(third.error ?? "")")
        #expect(third.counts.unchanged == 120)
        let thirdSince = await server.requests[before].query["since"]
        #expect(thirdSince == "2025-01-28", "the watermark of the last successful run, not the lookback")
    }

    @Test(arguments: WarehouseKind.allCases)
    func aFailedRequestStoresNothingThatCanBeLoaded(_ kind: WarehouseKind) async throws {
        let mode = Mode()
        await mode.set(failPage2: true)
        let server = try await api(mode)
        defer { Task { await server.stop() } }
        let test = try await TestPlatform.make(kind, ["ITEMS_BASE_URL": server.baseURL, "ITEMS_KEY": Self.key])

        let failed = try await run(test)
        #expect(failed.status == "failed")
        let error = try #require(failed.error)
        #expect(error.contains("answered 500; gave up after 4 attempt(s)"), "\(error)")
        #expect(!error.contains(Self.key), "\(error)")
        #expect(failed.steps.first { $0.name == "extract" }?.status == "failed")
        #expect(await server.requests.filter { $0.query["page"] == "2" }.count == 4, "page 2 was retried to the limit")

        // Page 1 is in bronze, the failed page 2 is not, and there is no manifest: the run cannot be loaded.
        let keys = try await LocalObjectStore(root: test.platform.lakehouseRoot).list(prefix: "bronze/fixture/dataset=items/")
        let ofRun = keys.filter { $0.contains("run_id=\(failed.runId)/") }
        #expect(ofRun.contains { $0.hasSuffix("page_00001.json") })
        #expect(!ofRun.contains { $0.contains("page_00002") })
        #expect(!ofRun.contains { $0.hasSuffix("manifest.json") }, "\(ofRun)")
        let reload = try await run(test, options: RunOptions(steps: [.load], fromRun: failed.runId))
        #expect(reload.status == "failed")
        #expect(reload.error?.contains("no bronze manifest for run \(failed.runId)") == true, "\(reload.error ?? "")")
        let rows = try await test.withWarehouse { try await $0.execute("SELECT * FROM fixture.items") }
        #expect(rows.isEmpty)
        let state = try await test.withWarehouse { try await RunLedger($0.dialect).recent(source: "fixture", dataset: "items", in: $0) }
        let record = try #require(state.first { $0.runId == failed.runId })
        #expect(record.status == .failed)
        #expect(record.error?.contains("answered 500") == true)
        #expect(record.error?.contains(Self.key) == false)
    }

    @Test func aCutOffPageIsNeverStored() async throws {
        let mode = Mode()
        await mode.set(failPage2: true, truncate: true)
        let server = try await api(mode)
        defer { Task { await server.stop() } }
        let test = try await TestPlatform.make(.sqlite, ["ITEMS_BASE_URL": server.baseURL, "ITEMS_KEY": Self.key])
        let failed = try await run(test)
        #expect(failed.status == "failed")
        #expect(failed.error?.contains("the body was cut off") == true, "\(failed.error ?? "")")
        let keys = try await LocalObjectStore(root: test.platform.lakehouseRoot).list(prefix: "bronze/fixture/dataset=items/")
        #expect(keys.filter { $0.contains("run_id=\(failed.runId)/") }.map { ($0 as NSString).lastPathComponent } == ["page_00001.json"],
                "\(keys)")
    }

    @Test func aMissingBaseURLNamesItsVariable() async throws {
        let test = try await TestPlatform.make(.sqlite, ["ITEMS_KEY": Self.key])
        let report = try await run(test)
        #expect(report.status == "failed")
        #expect(report.error?.contains("ITEMS_BASE_URL is not set") == true, "\(report.error ?? "")")
    }

    @Test func theWindowIsTheEarlierOfWatermarkAndLookback() throws {
        let window = IncrementalWindow(parameter: "since", fullLoadFirst: false)
        let runTime = try #require(ISO8601DateFormatter().date(from: "2025-03-31T12:00:00Z"))
        func since(_ watermark: String?, lookback: Int = 7) throws -> String? {
            try window.start(runTime: runTime, lookbackDays: lookback, lastWatermark: watermark).map { CalendarDate($0).description }
        }
        #expect(try since(nil) == "2025-03-24", "first run: the lookback")
        #expect(try since("2025-03-30") == "2025-03-24", "recent watermark: still the whole lookback again")
        #expect(try since("2025-01-10") == "2025-01-10", "old watermark: nothing after it is skipped")
        #expect(try since("2025-01-10T08:00:00Z") == "2025-01-10")
        #expect(try since("2025-03-30", lookback: 0) == "2025-03-30")
        #expect(try IncrementalWindow().start(runTime: runTime, lookbackDays: 7, lastWatermark: nil) == nil, "the default: a full load first")
        #expect(throws: IngestError.self) { try since("yesterday") }
    }
}
