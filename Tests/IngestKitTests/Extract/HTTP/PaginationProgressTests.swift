import Foundation
@testable import IngestKit
import IngestTestSupport
import Testing

/// Pagination that makes no progress ends promptly, for every paginator, and says why (issue 11, item 7).
@Suite struct PaginationProgressTests {
    enum Kind: String, CaseIterable, CustomStringConvertible, Sendable {
        case pageNumber, offset, cursor, nextURL, linkHeader
        var description: String { rawValue }

        var paginator: Paginator {
            switch self {
            case .pageNumber: return .pageNumber()
            case .offset: return .offset(limit: 10)
            case .cursor: return .cursor(path: "cursor", parameter: "cursor")
            case .nextURL: return .nextURL(path: "next")
            case .linkHeader: return .linkHeader
            }
        }
    }

    /// How the API fails to make progress.
    enum Mode: String, CustomStringConvertible, Sendable {
        /// Empty pages that keep a next page, forever.
        case empty
        /// Full pages forever, with `"count": 25`.
        case total
        /// Full pages whose next page is one already read.
        case repeating
        var description: String { rawValue }
    }

    struct Case: CustomStringConvertible, Sendable {
        var kind: Kind
        var mode: Mode
        /// `PageStop.emptyPage`: stop at the first empty page, or only after `maxEmptyPages` in a row.
        var emptyPageStops: Bool
        var requests: Int
        /// In the stop reason, or in the error when `fails`.
        var says: String
        var fails = false
        var description: String { "\(kind) \(mode) emptyPage=\(emptyPageStops)" }
    }

    static let cases: [Case] = Kind.allCases.flatMap { kind -> [Case] in
        var cases = [
            Case(kind: kind, mode: .empty, emptyPageStops: true, requests: 1, says: "page 1 had no records"),
            Case(kind: kind, mode: .total, emptyPageStops: true, requests: 3, says: "the API's total of 25 record(s) at \"count\" was reached after 3 page(s)"),
        ]
        switch kind {
        case .offset:
            // An empty page is shorter than the limit: the paginator's own end.
            cases.append(Case(kind: kind, mode: .empty, emptyPageStops: false, requests: 1, says: "fewer than the limit 10"))
        case .pageNumber:
            // The page number always advances, so only emptiness shows no progress.
            cases.append(Case(kind: kind, mode: .empty, emptyPageStops: false, requests: 3,
                              says: "3 pages in a row had no records although the API still gave a next page: it makes no progress"))
        case .cursor, .nextURL, .linkHeader:
            cases.append(Case(kind: kind, mode: .empty, emptyPageStops: false, requests: 3,
                              says: "3 pages in a row had no records although the API still gave a next page: it makes no progress"))
            cases.append(Case(kind: kind, mode: .repeating, emptyPageStops: true, requests: kind == .cursor ? 2 : 1,
                              says: "a second time", fails: true))
        }
        return cases
    }

    /// One server for every paginator: page `n` comes from `page`, `offset`, `cursor` or `n`; each answer
    /// carries every kind of next page (body link, cursor, Link header) as the mode wants.
    static func api(_ mode: Mode) async throws -> TestServer {
        try await TestServer.start { request, _, base in
            let q = request.query
            let n = q["page"].flatMap { Int($0) } ?? q["offset"].flatMap { Int($0) }.map { $0 / 10 + 1 }
                ?? q["cursor"].flatMap { Int($0) } ?? q["n"].flatMap { Int($0) } ?? 1
            let records = mode == .empty ? 0 : 10
            let nextLink = mode == .repeating ? "\(base)/items" : "\(base)/items?n=\(n + 1)"
            let cursor = mode == .repeating ? "same" : String(n + 1)
            let count = mode == .total ? #", "count": 25"# : ""
            var response = LoopbackHTTPServer.Response.json(
                page((n - 1) * 10, records, extra: #""next": "\#(nextLink)", "cursor": "\#(cursor)"\#(count)"#))
            response.headers.append(("Link", "<\(nextLink)>; rel=\"next\""))
            return response
        }
    }

    @Test(arguments: cases)
    func noProgressEndsPromptlyAndSaysWhy(_ test: Case) async throws {
        let server = try await Self.api(test.mode)
        defer { Task { await server.stop() } }
        let extractor = RESTExtractor(
            baseURL: server.baseURL, path: "/items", paginator: test.kind.paginator, recordsPath: "results",
            stop: PageStop(emptyPage: test.emptyPageStops, totalPath: test.mode == .total ? "count" : nil),
            limits: HTTPLimits(timeout: .seconds(120), retry: fastRetry))
        let notes = RunNotes()
        let result = await RunNotes.$current.withValue(notes) {
            await Result { try await extractAll(extractor, testContext()) }
        }
        let reason = try #require(notes.stopReason, "a stop reason is always noted")
        switch result {
        case .success(let artifacts):
            #expect(!test.fails, "\(test) should have failed")
            #expect(artifacts.count == test.requests)
            #expect(reason.contains(test.says), "\(reason)")
        case .failure(let error):
            #expect(test.fails, "\(test) failed: \(error)")
            #expect(String(describing: error).contains(test.says), "\(error)")
            #expect(reason.contains("a second time"), "\(reason)")
        }
        #expect(await server.count("/items") == test.requests, "\(test): no request after the stop")
    }

    /// A whole run: the report's stop_reason, also in the JSON report and the printed summary.
    @Test func theStopReasonIsInTheReport() async throws {
        // One page of items, then empty pages with a next link, forever (issue 11's input).
        let server = try await TestServer.start { request, _, base in
            let n = Int(request.query["page"] ?? "1") ?? 1
            return .json(page(0, n == 1 ? 5 : 0, extra: #""next": "\#(base)/items?page=\#(n + 1)""#))
        }
        defer { Task { await server.stop() } }
        let test = try await TestPlatform.make(.sqlite, ["ITEMS_BASE_URL": server.baseURL])
        let report = try await test.withWarehouse { warehouse in
            await Pipeline(platform: test.platform, warehouse: warehouse).run(emptyForeverDataset)
        }
        #expect(report.status == "succeeded", "\(report.error ?? "")")
        #expect(report.counts.artifacts == 4)
        #expect(report.counts.inserted == 5)
        #expect(report.stopReason?.contains("3 pages in a row had no records") == true, "\(report.stopReason ?? "nil")")
        let json = try JSONTree.parse(try report.json())
        #expect(json["stop_reason"]?.string == report.stopReason)
        #expect(report.summary.contains("pages: 3 pages in a row had no records"), "\(report.summary)")
        #expect(await server.count("/items") == 4)
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

/// A dataset on an API whose empty pages never end (emptyPage: false, as acme_portal's).
let emptyForeverDataset = Dataset(
    table: ItemsTable.self,
    extractor: RESTExtractor(baseURLVariable: "ITEMS_BASE_URL", path: "/items", paginator: .nextURL(path: "next"), recordsPath: "results",
                             stop: PageStop(emptyPage: false), limits: HTTPLimits(timeout: .seconds(120), retry: fastRetry)),
    parse: .parser(ItemsParser()))
