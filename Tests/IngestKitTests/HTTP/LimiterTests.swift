import Foundation
import IngestKit
import Testing

/// The per-source request limits, as the server sees them (counts and order, no timings that can flake).
@Suite struct LimiterTests {
    @Test func concurrencyLimitHoldsAtTheServer() async throws {
        let server = try await TestServer.start { _, _, _ in
            try? await Task.sleep(for: .milliseconds(30))
            return .json("[]")
        }
        defer { Task { await server.stop() } }
        let fetcher = HTTPFetcher(timeout: .seconds(60), retry: fastRetry, limiter: RequestLimiter(maxConcurrent: 3))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<12 {
                group.addTask { _ = try await fetcher.get(server.baseURL + "/c?i=\(i)") }
            }
            try await group.waitForAll()
        }
        #expect(await server.count("/c") == 12)
        let most = await server.log.maxInFlight
        #expect(most >= 1 && most <= 3, "at most 3 requests in flight at the server, saw \(most)")
    }

    @Test func rateLimitSpacesRequestStarts() async throws {
        let server = try await TestServer.start { _, _, _ in .json("[]") }
        defer { Task { await server.stop() } }
        let limiter = RequestLimiter(requestsPerSecond: 20)
        let interval = try #require(await limiter.interval)
        let fetcher = HTTPFetcher(timeout: .seconds(60), retry: fastRetry, limiter: limiter)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<6 {
                group.addTask { _ = try await fetcher.get(server.baseURL + "/r?i=\(i)") }
            }
            try await group.waitForAll()
        }
        #expect(await server.count("/r") == 6)
        // A request reaches the server only after its turn: the last one arrives at least 5 intervals after the first turn.
        let starts = await limiter.starts
        let arrivals = await server.log.arrivals
        #expect(starts.count == 6)
        let first = try #require(starts.first), last = try #require(arrivals.max())
        #expect(last - first >= interval * 5)
    }

    @Test func datasetsOfOneSourceShareItsLimiter() {
        let a = RequestLimiter.shared("https://api.example.test", maxConcurrent: 2, requestsPerSecond: 5)
        let b = RequestLimiter.shared("https://api.example.test", maxConcurrent: 2, requestsPerSecond: 5)
        let other = RequestLimiter.shared("https://other.example.test", maxConcurrent: 2, requestsPerSecond: 5)
        #expect(a === b)
        #expect(a !== other)
    }

    @Test func twoExtractsOfOneAPIKeepToOneConcurrencyLimit() async throws {
        let server = try await TestServer.start { request, _, base in
            try? await Task.sleep(for: .milliseconds(20))
            let n = Int(request.query["page"] ?? "1") ?? 1
            return .json(page(n * 10, 10, extra: n < 5 ? #""next": "\#(base)\#(request.path)?page=\#(n + 1)""# : #""next": null"#))
        }
        defer { Task { await server.stop() } }
        let limits = HTTPLimits(timeout: .seconds(60), retry: fastRetry, maxConcurrentRequests: 1)
        let extractors = ["/a", "/b", "/c"].map {
            RESTExtractor(baseURL: server.baseURL, path: $0, paginator: .nextURL(path: "next"), recordsPath: "results", limits: limits)
        }
        try await withThrowingTaskGroup(of: Int.self) { group in
            for extractor in extractors { group.addTask { try await extractAll(extractor, testContext()).count } }
            for try await count in group { #expect(count == 5) }
        }
        #expect(await server.log.maxInFlight == 1, "one request at a time against the API across the three extracts")
    }
}
