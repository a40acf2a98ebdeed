import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// No quiet partial loads (issue 20 items 1 and 10, issue 24 item 2): a 200 carrying an error is a failed
/// request, a total the run did not reach fails it, so does a next page the paginator did not follow;
/// retries are a notice and bronze records the URL that answered.
@Suite struct PageCompletenessTests {
    /// `{"results": [...], <extra>}` of the items `start..<start+count`, as `ItemsParser` reads them.
    static func items(_ start: Int, _ count: Int, _ extra: String) -> String {
        let all = (start..<(start + count)).map { #"{"id": "I\#($0)", "name": "item \#($0)"}"# }
        return #"{"results": [\#(all.joined(separator: ","))]\#(extra.isEmpty ? "" : ", " + extra)}"#
    }

    /// Two pages of two orders each, `"count": 4`; page 2 answers 200 with an error `errors` times, then the records.
    static func errorAPI(errors: Int) async throws -> TestServer {
        try await TestServer.start { request, call, base in
            let n = Int(request.query["page"] ?? "1") ?? 1
            if n == 1 { return .json(items(0, 2, #""count": 4, "next": "\#(base)/v1/orders?page=2""#)) }
            if call - 1 <= errors {
                return .json(#"{"error": {"message": "upstream timeout on shard 3", "code": "E_SHARD"}, "count": 4, "next": null, "results": []}"#)
            }
            return .json(items(2, 2, #""count": 4, "next": null"#))
        }
    }

    static func rest(_ base: String, paginator: Paginator = .nextURL(path: "next"), stop: PageStop = PageStop(totalPath: "count"),
                     path: String = "/v1/orders", errorPath: String? = nil) -> RESTExtractor {
        RESTExtractor(baseURL: base, path: path, paginator: paginator, recordsPath: "results", stop: stop,
                      limits: HTTPLimits(timeout: .seconds(120), retry: fastRetry), errorPath: errorPath)
    }

    static func dataset(_ extractor: RESTExtractor, gate: SuccessGate = SuccessGate()) -> Dataset {
        Dataset(table: ItemsTable.self, extractor: extractor, parse: .parser(ItemsParser()), gate: gate)
    }

    @Test(arguments: WarehouseKind.allCases)
    func aPageAnswering200WithAnErrorIsRetriedThenFailsTheRunNamingThePageAndTheMessage(_ kind: WarehouseKind) async throws {
        let server = try await Self.errorAPI(errors: 100)
        defer { Task { await server.stop() } }
        let test = try await TestPlatform.make(kind)
        let report = try await test.run(Self.dataset(Self.rest(server.baseURL)))

        #expect(report.status == "failed")
        let error = try #require(report.error)
        #expect(error.contains("\(server.baseURL)/v1/orders?page=2"), "\(error)")
        #expect(error.contains("upstream timeout on shard 3 (E_SHARD)"), "\(error)")
        #expect(error.contains("with an error at \"error\""), "\(error)")
        #expect(error.contains("errorPath"), "the fix names the option: \(error)")
        // Retried like a 5xx: fastRetry's 4 attempts, counted in the notice.
        #expect(await server.requests.filter { $0.query["page"] == "2" }.count == 4)
        #expect(report.notices.contains("3 requests retried: 200 with an error ×3"), "\(report.notices)")
        // Nothing of the failed run is loaded, and its ledger row says why.
        #expect(try await test.count(of: "fixture.items") == 0)
        let ledger = try #require(try await test.rows(of: "staging.ingestion_state", by: "run_id")[report.runId])
        #expect(ledger["error_message"]?.contains("upstream timeout on shard 3") == true, "\(ledger)")
    }

    @Test func aPageWithAnErrorOnceThenRecordsLoadsEveryRecordAndSaysItRetried() async throws {
        let server = try await Self.errorAPI(errors: 1)
        defer { Task { await server.stop() } }
        let test = try await TestPlatform.make(.sqlite)
        let report = try await test.run(Self.dataset(Self.rest(server.baseURL)))
        #expect(report.status == "succeeded", "\(report.error ?? "")")
        #expect(report.counts.inserted == 4)
        #expect(report.notices.contains("1 request retried: 200 with an error ×1"), "\(report.notices)")
        #expect(report.summary.contains("notice: 1 request retried: 200 with an error ×1"), "\(report.summary)")
    }

    @Test func errorPathNamesAnotherPlaceAndAnEmptyOneReadsNoErrorMember() async throws {
        let server = try await TestServer.start { _, _, _ in
            .json(Self.items(0, 2, #""status": {"failure": "index rebuilding"}, "errors": ["not an error here"]"#))
        }
        defer { Task { await server.stop() } }
        let elsewhere = Self.rest(server.baseURL, paginator: .single, stop: PageStop(), errorPath: "status.failure")
        let failure = await #expect(throws: IngestError.self) { try await extractAll(elsewhere, testContext()) }
        #expect(failure?.message.contains("with an error at \"status.failure\" in its body: index rebuilding") == true, "\(String(describing: failure))")

        let none = Self.rest(server.baseURL, paginator: .single, stop: PageStop(), errorPath: "")
        #expect(try await extractAll(none, testContext()).count == 1)
        // An empty error member is no error.
        let empty = try await TestServer.start { _, _, _ in .json(Self.items(0, 2, #""errors": [], "error": null"#)) }
        defer { Task { await empty.stop() } }
        #expect(try await extractAll(Self.rest(empty.baseURL, paginator: .single, stop: PageStop()), testContext()).count == 1)
    }

    /// Page 2 says it is the last although the API counted 4 (the records on page 2 are missing).
    static func shortAPI(total: String = #""count": 4"#) async throws -> TestServer {
        try await TestServer.start { request, _, base in
            let n = Int(request.query["page"] ?? "1") ?? 1
            return n == 1 ? .json(items(0, 1, #"\#(total), "next": "\#(base)/v1/orders?page=2""#))
                : .json(items(1, 1, #"\#(total), "next": null"#))
        }
    }

    @Test(arguments: WarehouseKind.allCases)
    func aDeclaredTotalTheRunDidNotReachFailsTheExtractNamingBoth(_ kind: WarehouseKind) async throws {
        let server = try await Self.shortAPI()
        defer { Task { await server.stop() } }
        let test = try await TestPlatform.make(kind)
        let report = try await test.run(Self.dataset(Self.rest(server.baseURL)))
        #expect(report.status == "failed")
        let error = try #require(report.error)
        #expect(error.contains("the API's total at \"count\" is 4 record(s), but the run read 2 in 2 page(s)"), "\(error)")
        #expect(error.contains("allowShortTotal"), "\(error)")
        #expect(try await test.count(of: "fixture.items") == 0, "a failed extract loads nothing")
    }

    @Test(arguments: WarehouseKind.allCases)
    func allowShortTotalLoadsWhatArrivedWithANoticeAndTheGateDecides(_ kind: WarehouseKind) async throws {
        let server = try await Self.shortAPI()
        defer { Task { await server.stop() } }
        let test = try await TestPlatform.make(kind)
        let allowed = Self.rest(server.baseURL, stop: PageStop(totalPath: "count", allowShortTotal: true))

        let passes = try await test.run(Self.dataset(allowed))
        #expect(passes.status == "succeeded", "\(passes.error ?? "")")
        #expect(passes.counts.inserted == 2)
        let shortfall = try #require(passes.totalNotReached)
        #expect(shortfall.contains("is 4 record(s), but the run read 2"), "\(shortfall)")
        #expect(passes.notices.contains(shortfall))
        let json = try #require(try JSONSerialization.jsonObject(with: passes.json()) as? [String: Any])
        #expect((json["total_not_reached"] as? String) == shortfall)

        let gated = try await test.run(Self.dataset(allowed, gate: SuccessGate(failOnShortTotal: true)))
        #expect(gated.status == "failed")
        #expect(gated.gate?.failures.contains { $0.hasPrefix("total not reached: the API's total at \"count\" is 4") } == true, "\(gated.gate?.failures ?? [])")
    }

    @Test(arguments: ["meta.total", "total_count", "totalCount", "count"])
    func anUndeclaredTotalAtAWellKnownPlaceFailsARunThatReadLess(_ place: String) async throws {
        let member = place == "meta.total" ? #""meta": {"total": 3}"# : #""\#(place)": 3"#
        let server = try await TestServer.start { _, _, _ in .json(Self.items(0, 2, member)) }
        defer { Task { await server.stop() } }
        let failure = await #expect(throws: IngestError.self) {
            try await extractAll(Self.rest(server.baseURL, paginator: .single, stop: PageStop()), testContext())
        }
        #expect(failure?.message.contains("the API's total at \"\(place)\" is 3 record(s), but the run read 2") == true, "\(String(describing: failure))")
        #expect(failure?.fix?.contains("checksWellKnownPlaces: false") == true)
        // The dataset opts out: its "count" counts something else.
        let optedOut = Self.rest(server.baseURL, paginator: .single, stop: PageStop(checksWellKnownPlaces: false))
        #expect(try await extractAll(optedOut, testContext()).count == 1)
    }

    struct NextPage: CustomStringConvertible, Sendable {
        var member: String, place: String, fix: String
        var description: String { place }
    }

    static let nextPages = [
        NextPage(member: #""links": {"next": "/v1/orders?cursor=Zx9"}"#, place: "at \"links.next\"", fix: #".nextURL(path: "links.next")"#),
        NextPage(member: #""paging": {"next": "https://api.example.test/v1/orders?after=9"}"#, place: "at \"paging.next\"", fix: #".nextURL(path: "paging.next")"#),
        NextPage(member: #""@odata.nextLink": "/v1/orders?$skip=2""#, place: #"at "["@odata.nextLink"]""#, fix: "@odata.nextLink"),
        NextPage(member: #""meta": {"next_cursor": "c2"}"#, place: "at \"meta.next_cursor\"", fix: #".cursor(path: "meta.next_cursor""#),
    ]

    @Test(arguments: nextPages)
    func aNextPageThePaginatorDidNotFollowFailsTheExtract(_ next: NextPage) async throws {
        let (member, place, fix) = (next.member, next.place, next.fix)
        let server = try await TestServer.start { _, _, _ in .json(Self.items(0, 2, member)) }
        defer { Task { await server.stop() } }
        let failure = await #expect(throws: IngestError.self) {
            try await extractAll(Self.rest(server.baseURL, paginator: .single, stop: PageStop()), testContext())
        }
        let message = failure?.message ?? ""
        #expect(message.contains("still names a next page \(place)"), "\(message)")
        #expect(message.contains("one request (the dataset has no paginator)"), "\(message)")
        #expect(message.contains("only the 2 record(s) read"), "\(message)")
        #expect(failure?.fix?.contains(fix) == true, "\(failure?.fix ?? "")")
        let optedOut = Self.rest(server.baseURL, paginator: .single, stop: PageStop(checksWellKnownPlaces: false))
        #expect(try await extractAll(optedOut, testContext()).count == 1)
    }

    @Test func aNextLinkInTheLinkHeaderAndATotalAreBothNamed() async throws {
        let server = try await TestServer.start { _, _, base in
            var response = LoopbackHTTPServer.Response.json(Self.items(0, 2, #""meta": {"total": 6}"#))
            response.headers.append(("Link", "<\(base)/v1/orders?page=2>; rel=\"next\""))
            return response
        }
        defer { Task { await server.stop() } }
        let failure = await #expect(throws: IngestError.self) {
            try await extractAll(Self.rest(server.baseURL, paginator: .single, stop: PageStop()), testContext())
        }
        #expect(failure?.message.contains("in its Link header (rel=\"next\")") == true, "\(String(describing: failure))")
        #expect(failure?.message.contains("only the 2 record(s) read of the 6 that the API's total at \"meta.total\" counts") == true,
                "\(String(describing: failure))")
        #expect(failure?.fix?.contains(".linkHeader") == true)
    }

    @Test(arguments: WarehouseKind.allCases)
    func retriedRequestsAreANoticeAndBronzeRecordsTheURLThatAnswered(_ kind: WarehouseKind) async throws {
        // /v1/orders redirects (same origin) to /v2/orders; page 1 answers 503 twice, page 2 answers 502 once.
        let server = try await TestServer.start { request, call, base in
            let n = Int(request.query["page"] ?? "1") ?? 1
            if request.path == "/v1/orders" {
                return LoopbackHTTPServer.Response(status: 301, headers: [("Location", "/v2/orders?page=\(n)")], body: Data())
            }
            if n == 1, call <= 2 { return .json(#"{"detail": "busy"}"#, status: 503) }
            if n == 2, call == 4 { return .json(#"{"detail": "bad gateway"}"#, status: 502) }
            return n == 1 ? .json(Self.items(0, 2, #""count": 4, "next": "\#(base)/v1/orders?page=2""#))
                : .json(Self.items(2, 2, #""count": 4, "next": null"#))
        }
        defer { Task { await server.stop() } }
        let test = try await TestPlatform.make(kind)
        let dataset = Self.dataset(Self.rest(server.baseURL))
        let report = try await test.run(dataset)
        #expect(report.status == "succeeded", "\(report.error ?? "")")
        #expect(report.counts.inserted == 4)
        #expect(report.notices.contains("3 requests retried: 503 ×2, 502 ×1"), "\(report.notices)")
        #expect(report.summary.contains("  notice: 3 requests retried: 503 ×2, 502 ×1"), "\(report.summary)")
        let manifest = try await test.platform.bronze(for: dataset).manifest(runId: report.runId)
        #expect(manifest.artifacts.map(\.url) == ["\(server.baseURL)/v2/orders?page=1", "\(server.baseURL)/v2/orders?page=2"])
    }
}
