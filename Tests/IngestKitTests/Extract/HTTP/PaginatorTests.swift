import Foundation
@testable import IngestKit
import IngestTestSupport
import Testing

/// Every paginator and stop condition against a server that checks the paging parameters.
@Suite struct PaginatorTests {
    static let total = 25
    let fast = HTTPLimits(timeout: .seconds(60), retry: fastRetry)

    /// Records `from..<from+size`, capped at `total`; a request outside that answers 400.
    static func slice(_ from: Int, _ size: Int, extra: String = "") -> LoopbackHTTPServer.Response {
        guard from >= 0, size > 0 else { return .json(#"{"detail": "bad paging"}"#, status: 400) }
        return .json(page(from, max(0, min(size, total - from)), extra: extra))
    }

    func ids(_ artifacts: [RawArtifact]) throws -> [String] {
        try artifacts.flatMap { artifact -> [String] in
            let json = try JSONTree.parse(artifact.bytes)
            return try JSONPath("results[*].id").values(in: json).compactMap(\.string)
        }
    }

    @Test func pageNumberWithSizeStopsAtTheShortPage() async throws {
        let server = try await TestServer.start { request, _, _ in
            guard request.query["per_page"] == "10", let page = Int(request.query["page"] ?? "") else { return .json("{}", status: 400) }
            return Self.slice((page - 1) * 10, 10)
        }
        defer { Task { await server.stop() } }
        let artifacts = try await extractAll(RESTExtractor(
            baseURL: server.baseURL, path: "/items", auth: .none,
            paginator: .pageNumber(parameter: "page", start: 1, sizeParameter: "per_page", size: 10), recordsPath: "results", limits: fast),
            testContext())
        #expect(artifacts.map(\.artifactId) == ["page_00001", "page_00002", "page_00003"])
        #expect(try ids(artifacts) == (0..<25).map { "I\($0)" })
        #expect(artifacts.allSatisfy { $0.extractionMethod == .apiJSON })
        #expect(await server.requests.map { $0.query["page"] ?? "" } == ["1", "2", "3"])
    }

    @Test func pageNumberWithoutSizeStopsAtTheEmptyPage() async throws {
        let server = try await TestServer.start { request, _, _ in
            Self.slice(Int(request.query["p"] ?? "-99")! * 10, 10)
        }
        defer { Task { await server.stop() } }
        let artifacts = try await extractAll(RESTExtractor(
            baseURL: server.baseURL, path: "/items", paginator: .pageNumber(parameter: "p", start: 0), recordsPath: "results", limits: fast),
            testContext())
        #expect(artifacts.count == 4, "three pages and the empty one that ends it")
        #expect(try ids(artifacts).count == 25)
        #expect(await server.requests.map { $0.query["p"] ?? "" } == ["0", "1", "2", "3"])
    }

    @Test func offsetAndLimit() async throws {
        let server = try await TestServer.start { request, _, _ in
            Self.slice(Int(request.query["offset"] ?? "-1") ?? -1, Int(request.query["limit"] ?? "0") ?? 0)
        }
        defer { Task { await server.stop() } }
        let artifacts = try await extractAll(RESTExtractor(
            baseURL: server.baseURL, path: "/items", query: ["fields": "id,name"], paginator: .offset(limit: 10), recordsPath: "results",
            limits: fast), testContext())
        #expect(try ids(artifacts) == (0..<25).map { "I\($0)" })
        let requests = await server.requests
        #expect(requests.map { $0.query["offset"] ?? "" } == ["0", "10", "20"])
        #expect(requests.allSatisfy { $0.query["fields"] == "id,name" }, "fixed query parameters stay on every page")
    }

    @Test func cursorFromAJSONPath() async throws {
        // Records under data.items, the cursor under meta.next (a number on one page, a string on the next).
        let server = try await TestServer.start { request, _, _ in
            let start = Int(request.query["after"] ?? "0") ?? -1
            let end = min(25, start + 10)
            let items = (start..<end).map { #"{"id": "I\#($0)"}"# }.joined(separator: ",")
            let next = end < 25 ? (start == 0 ? "\(end)" : "\"\(end)\"") : "null"
            return .json(#"{"data": {"items": [\#(items)]}, "meta": {"next": \#(next)}}"#)
        }
        defer { Task { await server.stop() } }
        let artifacts = try await extractAll(RESTExtractor(
            baseURL: server.baseURL, path: "/items", paginator: .cursor(path: "meta.next", parameter: "after"),
            recordsPath: "data.items[*]", limits: fast), testContext())
        #expect(artifacts.count == 3)
        #expect(await server.requests.map { $0.query["after"] } == [nil, "10", "20"])
    }

    @Test func nextURLInTheBodyAbsoluteOrRelative() async throws {
        let server = try await TestServer.start { request, _, base in
            let start = Int(request.query["start"] ?? "0") ?? 0
            let end = min(25, start + 10)
            // The second link is relative to the page, the first absolute.
            let next = end >= 25 ? "null" : start == 0 ? "\"\(base)/items?start=\(end)\"" : "\"/items?start=\(end)\""
            return .json(page(start, end - start, extra: #""links": {"next": \#(next)}"#))
        }
        defer { Task { await server.stop() } }
        let artifacts = try await extractAll(RESTExtractor(
            baseURL: server.baseURL, path: "/items", paginator: .nextURL(path: "links.next"), recordsPath: "results", limits: fast),
            testContext())
        #expect(try ids(artifacts).count == 25)
        #expect(artifacts.map(\.url) == ["", "?start=10", "?start=20"].map { "\(server.baseURL)/items\($0)" })
    }

    @Test func linkHeader() async throws {
        let server = try await TestServer.start { request, _, base in
            let page = Int(request.query["page"] ?? "1") ?? 1
            var response = Self.slice((page - 1) * 10, 10)
            var links = [#"<\#(base)/items?page=1>; rel="first""#]
            if page < 3 { links.append(#"<\#(base)/items?page=\#(page + 1)>; rel="next""#) }
            response.headers.append(("Link", links.joined(separator: ", ")))
            return response
        }
        defer { Task { await server.stop() } }
        let artifacts = try await extractAll(RESTExtractor(
            baseURL: server.baseURL, path: "/items", paginator: .linkHeader, recordsPath: "results", limits: fast), testContext())
        #expect(try ids(artifacts).count == 25)
        #expect(await server.requests.map { $0.query["page"] } == [nil, "2", "3"])
    }

    @Test func totalReachedStopsAServerThatNeverEnds() async throws {
        // The server always answers a full page; its "count" says when to stop.
        let server = try await TestServer.start { request, _, _ in
            .json(page(0, 10, extra: #""count": 25"#))
        }
        defer { Task { await server.stop() } }
        let artifacts = try await extractAll(RESTExtractor(
            baseURL: server.baseURL, path: "/items", paginator: .pageNumber(), recordsPath: "results",
            stop: PageStop(totalPath: "count"), limits: fast), testContext())
        #expect(artifacts.count == 3)
    }

    @Test func maxPagesStopsOrFails() async throws {
        let server = try await TestServer.start { _, _, _ in .json(page(0, 10)) }
        defer { Task { await server.stop() } }
        let said = SaidLines()
        var context = testContext()
        context.say = { said.append($0) }
        let stopped = try await extractAll(RESTExtractor(
            baseURL: server.baseURL, path: "/items", paginator: .pageNumber(), recordsPath: "results",
            stop: PageStop(maxPages: 2), limits: fast), context)
        #expect(stopped.count == 2)
        let error = await #expect(throws: IngestError.self) {
            try await extractAll(RESTExtractor(
                baseURL: server.baseURL, path: "/items", paginator: .pageNumber(), recordsPath: "results",
                stop: PageStop(maxPages: 2, failAtMaxPages: true), limits: fast), testContext())
        }
        #expect(error?.message.contains("more than 2 pages") == true)
        #expect(await server.count("/items") == 4)
    }

    @Test func aNextLinkThatDoesNotAdvanceFails() async throws {
        let server = try await TestServer.start { _, _, base in .json(page(0, 3, extra: #""next": "\#(base)/items""#)) }
        defer { Task { await server.stop() } }
        let error = await #expect(throws: IngestError.self) {
            try await extractAll(RESTExtractor(baseURL: server.baseURL, path: "/items", paginator: .nextURL(path: "next"),
                                               recordsPath: "results", limits: fast), testContext())
        }
        #expect(error?.message.contains("a second time") == true, "\(error?.description ?? "")")
        #expect(await server.count("/items") == 1)
    }

    @Test func aMissingRecordsPathFailsClearly() async throws {
        let server = try await TestServer.start { _, _, _ in .json(#"{"items": []}"#) }
        defer { Task { await server.stop() } }
        let error = await #expect(throws: IngestError.self) {
            try await extractAll(RESTExtractor(baseURL: server.baseURL, path: "/items", recordsPath: "results", limits: fast), testContext())
        }
        #expect(error?.message.contains("nothing at the records path \"results\"") == true, "\(error?.description ?? "")")
    }

    @Test func linkHeaderParsing() {
        #expect(Paginator.nextLink(in: #"<https://a/x?page=2>; rel="next", <https://a/x?page=9>; rel="last""#) == "https://a/x?page=2")
        #expect(Paginator.nextLink(in: #"<https://a/x?page=1>; rel="prev first""#) == nil)
        #expect(Paginator.nextLink(in: #"<https://a/x?p=3>;rel=next"#) == "https://a/x?p=3")
    }
}

