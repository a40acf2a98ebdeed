import AcmePortal
import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// issue 11's HTTP-toolkit inputs as `acme_portal` pages served by a local API, through whole runs on both warehouses.
@Suite struct AcmeMessyInputTests {
    static let token = "acme-messy-token-2b7e"
    let registry = SourceRegistry([AcmePortalSource()])

    /// Answers `/v1/orders?page=N` with `pages(N, baseURL)` after checking the bearer token.
    final class API: Sendable {
        let server: LoopbackHTTPServer
        let log: Log
        var baseURL: String { server.baseURL }

        actor Log {
            var pages: [Int] = []
            func add(_ page: Int) { pages.append(page) }
        }

        init(_ pages: @escaping @Sendable (_ page: Int, _ baseURL: String) -> LoopbackHTTPServer.Response) async throws {
            let log = Log()
            self.log = log
            server = try await LoopbackHTTPServer.start { request in
                let page = Int(request.query["page"] ?? "1") ?? 1
                await log.add(page)
                guard request.header("Authorization") == "Bearer \(AcmeMessyInputTests.token)" else {
                    return .json(#"{"detail": "Invalid or missing bearer token."}"#, status: 401)
                }
                return pages(page, request.baseURL)
            }
        }

        func stop() async { await server.stop() }
        var requests: Int { get async { await log.pages.count } }
    }

    /// `{"count", "page", "next", "results"}` with the demo API's orders `range` (indexes from 0).
    static func page(_ page: Int, _ range: Range<Int>, count: Int? = nil, next: String?) -> String {
        let items = range.map { AcmeDemoAPI(orders: 100).order($0) }.joined(separator: ",")
        return #"{"count": \#(count.map(String.init) ?? "null"), "page": \#(page), "next": \#(next.map { "\"\($0)\"" } ?? "null"), "results": [\#(items)]}"#
    }

    func run(_ kind: WarehouseKind, _ api: API) async throws -> (RunReport, TestPlatform) {
        let test = try await TestPlatform.make(kind, ["ACME_PORTAL_BASE_URL": api.baseURL, "ACME_PORTAL_API_TOKEN": Self.token])
        return (try await test.platform.run("acme_portal.orders", in: registry), test)
    }

    func titles(_ test: TestPlatform) async throws -> [String: String] {
        let rows = try await test.withWarehouse { try await $0.execute("SELECT entity_id, title FROM acme_portal.orders") }
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["entity_id"] ?? "", $0["title"] ?? "") })
    }

    /// Item 7: `{"results": [], "next": "…?page=N+1"}` forever ends after a few pages, saying why.
    @Test(arguments: WarehouseKind.allCases)
    func emptyPagesThatKeepANextLinkEndPromptly(_ kind: WarehouseKind) async throws {
        let api = try await API { page, base in
            .json(Self.page(page, page == 1 ? 0..<3 : 0..<0, next: "\(base)/v1/orders?page=\(page + 1)"))
        }
        defer { Task { await api.stop() } }
        let (report, _) = try await run(kind, api)
        #expect(report.status == "succeeded", "\(report.error ?? "")")
        #expect(report.counts.inserted == 3)
        #expect(report.counts.artifacts == 4, "the page with orders and three empty ones")
        #expect(report.stopReason?.contains("3 pages in a row had no records although the API still gave a next page") == true,
                "\(report.stopReason ?? "nil")")
        #expect(await api.requests == 4)
    }

    /// Item 7: the API's `count` already reached ends the pages although `next` goes on.
    @Test(arguments: WarehouseKind.allCases)
    func theAPIsCountReachedEndsThePages(_ kind: WarehouseKind) async throws {
        let api = try await API { page, base in
            .json(Self.page(page, (page - 1) * 2..<page * 2, count: 4, next: "\(base)/v1/orders?page=\(page + 1)"))
        }
        defer { Task { await api.stop() } }
        let (report, _) = try await run(kind, api)
        #expect(report.status == "succeeded", "\(report.error ?? "")")
        #expect(report.counts.inserted == 4)
        #expect(report.stopReason == "the API's total of 4 record(s) at \"count\" was reached after 2 page(s)")
        #expect(await api.requests == 2)
    }

    /// Item 2: a lone surrogate escape is stored as U+FFFD, with a notice in the report.
    @Test(arguments: WarehouseKind.allCases)
    func aLoneSurrogateIsStoredAsTheReplacementCharacter(_ kind: WarehouseKind) async throws {
        let api = try await API { page, _ in
            .json(Self.page(1, 0..<2, next: nil).replacingOccurrences(of: #""Order 1""#, with: #""Lone \ud83d surrogate""#))
        }
        defer { Task { await api.stop() } }
        let (report, test) = try await run(kind, api)
        #expect(report.status == "succeeded", "\(report.error ?? "")")
        #expect(try await titles(test)["ORD-000001"] == "Lone \u{FFFD} surrogate")
        #expect(report.notices.contains { $0.contains("page_00001") && $0.contains("read as U+FFFD") }, "\(report.notices)")
    }

    /// Item 2: gzip and deflate pages are decoded before bronze stores them.
    @Test(arguments: ContentCoding.allCases, WarehouseKind.allCases)
    func aCompressedPageLoads(_ coding: ContentCoding, _ kind: WarehouseKind) async throws {
        let body = try coding.compress(Data(Self.page(1, 0..<5, next: nil).utf8))
        let api = try await API { _, _ in
            LoopbackHTTPServer.Response(headers: [("Content-Type", "application/json"), ("Content-Encoding", coding.rawValue)], body: body)
        }
        defer { Task { await api.stop() } }
        let (report, test) = try await run(kind, api)
        #expect(report.status == "succeeded", "\(report.error ?? "")")
        #expect(report.counts.inserted == 5)
        #expect(try await titles(test)["ORD-000005"] == "Order 5")
    }

    /// Item 2: a refused page says what it is, and the pages stored so far are counted.
    @Test(arguments: WarehouseKind.allCases)
    func aPageNestedTooDeepIsRefusedSayingSoAndStoredPagesAreCounted(_ kind: WarehouseKind) async throws {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        let api = try await API { page, base in
            page == 1 ? .json(Self.page(1, 0..<3, next: "\(base)/v1/orders?page=2"))
                : .json(#"{"count": null, "page": 2, "next": null, "results": [{"id": "ORD-9", "lines": \#(deep)}]}"#)
        }
        defer { Task { await api.stop() } }
        let (report, _) = try await run(kind, api)
        #expect(report.status == "failed")
        let error = try #require(report.error)
        #expect(error.contains("page 2 (artifact page_00002)") && error.contains("nesting deeper than 512 at byte offset"), "\(error)")
        #expect(!error.contains("check the base URL"), "not called 'not JSON': \(error)")
        #expect(report.counts.artifacts == 2, "both pages are in bronze and counted")
    }

    /// Item 8: `"results": null` on the last page is an empty page.
    @Test(arguments: WarehouseKind.allCases)
    func nullResultsAreAnEmptyPage(_ kind: WarehouseKind) async throws {
        let api = try await API { page, base in
            page == 1 ? .json(Self.page(1, 0..<3, next: "\(base)/v1/orders?page=2"))
                : .json(#"{"count": 3, "page": 2, "next": null, "results": null}"#)
        }
        defer { Task { await api.stop() } }
        let (report, _) = try await run(kind, api)
        #expect(report.status == "succeeded", "\(report.error ?? "")")
        #expect(report.counts.artifacts == 2)
        #expect(report.counts.inserted == 3)
    }

    /// Item 8: a decoding error names the JSON path and the expected type, never a Swift container.
    @Test(arguments: WarehouseKind.allCases)
    func aWrongTypeIsReportedInTheUsersTerms(_ kind: WarehouseKind) async throws {
        let api = try await API { _, _ in .json(#"{"count": 1, "page": 1, "next": null, "results": [{"id": "ORD-1", "lines": {"sku": "x"}}]}"#) }
        defer { Task { await api.stop() } }
        let (report, _) = try await run(kind, api)
        #expect(report.status == "failed")
        let error = try #require(report.error)
        #expect(error.contains("expected an array at results[0].lines but found an object"), "\(error)")
        #expect(!error.contains("Container") && !error.contains("Dictionary<"), "\(error)")
    }

    /// Item 9: a next link to another origin fails by default, naming both origins; the token is not sent there.
    @Test(arguments: WarehouseKind.allCases)
    func aNextLinkToAnotherOriginFailsAndSendsNoToken(_ kind: WarehouseKind) async throws {
        let other = try await API { _, _ in .json(Self.page(2, 3..<4, next: nil)) }
        let otherURL = other.baseURL
        let api = try await API { _, _ in .json(Self.page(1, 0..<3, next: "\(otherURL)/v1/orders?page=2")) }
        defer { Task { await api.stop(); await other.stop() } }
        let (report, _) = try await run(kind, api)
        #expect(report.status == "failed")
        let error = try #require(report.error)
        #expect(error.contains(api.baseURL) && error.contains(otherURL), "names both origins: \(error)")
        #expect(!error.contains(Self.token))
        #expect(await other.requests == 0, "the other origin got nothing (it would have logged a request with the token)")
        #expect(report.counts.artifacts == 1)
    }
}
