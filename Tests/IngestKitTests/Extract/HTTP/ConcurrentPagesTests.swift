import Foundation
@testable import IngestKit
import IngestTestSupport
import Testing

/// Offset and page-number paging with a known total on a source allowing several requests at once:
/// pages are fetched together but stored in page order, and every stop rule still holds.
@Suite struct ConcurrentPagesTests {
    /// `{"count": total, "results": [...]}` with the records `from..<from+size` of `total`.
    static func slice(_ from: Int, _ size: Int, total: Int) -> LoopbackHTTPServer.Response {
        guard from >= 0, size > 0 else { return .json(#"{"detail": "bad paging"}"#, status: 400) }
        return .json(page(from, max(0, min(size, total - from)), extra: #""count": \#(total)"#))
    }

    func ids(_ artifacts: [RawArtifact]) throws -> [String] {
        try artifacts.flatMap { artifact -> [String] in
            try JSONPath("results[*].id").values(in: try JSONTree.parse(artifact.bytes)).compactMap(\.string)
        }
    }

    func limits(_ concurrent: Int?) -> HTTPLimits {
        HTTPLimits(timeout: .seconds(120), retry: fastRetry, maxConcurrentRequests: concurrent)
    }

    @Test func offsetPagesAreFetchedTogetherAndStoredInPageOrder() async throws {
        // Page 2 (offset 10) answers only once the request for page 4 (offset 30) has arrived, and page 4
        // only once page 2's has: both are in flight together, which a sequential extract never reaches.
        let asked = Offsets()
        let server = try await TestServer.start { request, _, _ in
            let offset = Int(request.query["offset"] ?? "-1") ?? -1
            await asked.add(offset)
            if let other = [10: 30, 30: 10][offset] {
                let met = try? await waitUntil("the request for offset \(other) while offset \(offset) is unanswered") { await asked.contains(other) }
                if met == nil { return .json(#"{"detail": "offset \#(other) never came while offset \#(offset) waited"}"#, status: 400) }
            }
            return Self.slice(offset, Int(request.query["limit"] ?? "0") ?? 0, total: 95)
        }
        defer { Task { await server.stop() } }
        let notes = RunNotes()
        let artifacts = try await RunNotes.$current.withValue(notes) {
            try await extractAll(RESTExtractor(
                baseURL: server.baseURL, path: "/items", paginator: .offset(limit: 10), recordsPath: "results",
                stop: PageStop(totalPath: "count"), limits: limits(4)), testContext())
        }
        #expect(artifacts.map(\.artifactId) == (1...10).map { String(format: "page_%05d", $0) })
        #expect(try ids(artifacts) == (0..<95).map { "I\($0)" }, "records in page order")
        #expect(artifacts.map { URLComponents(string: $0.url ?? "")?.queryItems?.first { $0.name == "offset" }?.value } == (0..<10).map { "\($0 * 10)" })
        let requests = await server.requests
        #expect(requests.count == 10, "one request a page, none past the total")
        #expect(await server.log.maxInFlight >= 2)
        #expect(await server.log.maxInFlight <= 4, "never more than the source's maxConcurrentRequests")
        #expect(notes.stopReason?.contains("total of 95") == true, "\(notes.stopReason ?? "nil")")
    }

    @Test func aPageShorterThanPlannedStillEndsTheExtractThere() async throws {
        // The total says 60 (six pages of 10) but the data shrank: page 3 has 4 records. Pages fetched
        // ahead past it are dropped, as a sequential extract would never have asked for them. A total not
        // reached fails an extract unless the dataset allows it (issue 20 item 1): this one does, so the
        // shortfall is a notice.
        let server = try await TestServer.start { request, _, _ in
            let page = Int(request.query["page"] ?? "0") ?? 0
            return Self.slice((page - 1) * 10, page == 3 ? 4 : 10, total: 60)
        }
        defer { Task { await server.stop() } }
        let notes = RunNotes()
        let artifacts = try await RunNotes.$current.withValue(notes) {
            try await extractAll(RESTExtractor(
                baseURL: server.baseURL, path: "/items", paginator: .pageNumber(parameter: "page", start: 1, sizeParameter: "size", size: 10),
                recordsPath: "results", stop: PageStop(totalPath: "count", allowShortTotal: true), limits: limits(3)), testContext())
        }
        #expect(artifacts.map(\.artifactId) == ["page_00001", "page_00002", "page_00003"])
        #expect(try ids(artifacts).count == 24)
        #expect(notes.stopReason?.contains("page 3 had 4 record(s)") == true, "\(notes.stopReason ?? "nil")")
        #expect(notes.totalNotReached?.contains("is 60 record(s), but the run read 24") == true, "\(notes.totalNotReached ?? "nil")")
    }

    @Test func aPageThatFailsForGoodFailsTheRunAfterThePagesBeforeItAreStored() async throws {
        let server = try await TestServer.start { request, _, _ in
            let offset = Int(request.query["offset"] ?? "-1") ?? -1
            if offset == 20 { return .json(#"{"detail": "boom"}"#, status: 500) }
            return Self.slice(offset, 10, total: 50)
        }
        defer { Task { await server.stop() } }
        let stored = Stored()
        await #expect(throws: (any Error).self) {
            try await RESTExtractor(
                baseURL: server.baseURL, path: "/items", paginator: .offset(limit: 10), recordsPath: "results",
                stop: PageStop(totalPath: "count"), limits: limits(4))
                .extract(testContext(), into: ArtifactSink { await stored.add($0) })
        }
        #expect(await stored.items.map(\.artifactId) == ["page_00001", "page_00002"], "pages before the failed one, in order")
    }

    @Test func withoutAConcurrencyLimitPagesAreFetchedOneByOne() async throws {
        let server = try await TestServer.start { request, _, _ in
            Self.slice(Int(request.query["offset"] ?? "-1") ?? -1, 10, total: 45)
        }
        defer { Task { await server.stop() } }
        let artifacts = try await extractAll(RESTExtractor(
            baseURL: server.baseURL, path: "/items", paginator: .offset(limit: 10), recordsPath: "results",
            stop: PageStop(totalPath: "count"), limits: limits(nil)), testContext())
        #expect(try ids(artifacts) == (0..<45).map { "I\($0)" })
        #expect(await server.log.maxInFlight == 1)
    }
}

/// The offsets a test server has been asked for so far.
private actor Offsets {
    private var seen: Set<Int> = []
    func add(_ offset: Int) { seen.insert(offset) }
    func contains(_ offset: Int) -> Bool { seen.contains(offset) }
}
