import Foundation
import IngestKit
import IngestTestSupport
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
        let distinct = Set(await server.requests.filter { $0.path == "/c" }.compactMap { $0.query["i"] })
        #expect(distinct == Set((0..<12).map(String.init)), "every one of the 12 requests reached the server")
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
        #expect(Set(await server.requests.filter { $0.path == "/r" }.compactMap { $0.query["i"] }).count == 6)
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

/// Waiting for a concurrency or rate limit is not part of a request's timeout.
@Suite struct LimiterWaitTests {
    /// A door the server's handler waits at until the test opens it.
    actor Door {
        private var open = false
        private var waiting: [CheckedContinuation<Void, Never>] = []
        func pass() async {
            if open { return }
            await withCheckedContinuation { waiting.append($0) }
        }
        func openIt() {
            open = true
            waiting.forEach { $0.resume() }
            waiting = []
        }
    }

    /// This test is about a timeout, so it waits past one: request B waits in the limiter longer than its
    /// timeout behind request A (held by the server), and still succeeds once A is done, in one attempt.
    /// B's timeout (20 s) leaves room for its own request on a busy machine; its wait starts only once the
    /// limiter has queued it, so a slow start cannot shorten the wait.
    @Test func waitingForTheLimiterDoesNotCountAgainstTheTimeout() async throws {
        let door = Door()
        let server = try await TestServer.start { request, _, _ in
            if request.path == "/hold" { await door.pass() }
            return .json("[]")
        }
        defer { Task { await server.stop() } }
        let limiter = RequestLimiter(maxConcurrent: 1)
        let once = RetryPolicy(maxAttempts: 1, initialDelay: .milliseconds(10), maxDelay: .milliseconds(10), maxTotalDelay: .seconds(1))
        let holder = HTTPFetcher(timeout: .seconds(600), retry: once, limiter: limiter)
        let timeout = Duration.seconds(20)
        let waiter = HTTPFetcher(timeout: timeout, retry: once, limiter: limiter)

        let a = Task { try await holder.get(server.baseURL + "/hold") }
        try await waitUntil("request A reaches the server") { await server.count("/hold") == 1 }
        let b = Task { try await waiter.get(server.baseURL + "/quick") }
        try await waitUntil("request B waits for the limiter") { await limiter.queued == 1 }
        let waitStart = ContinuousClock.now
        try await waitUntil("B has waited longer than its timeout") { ContinuousClock.now - waitStart > timeout + .seconds(2) }
        #expect(await server.count("/quick") == 0, "B is still waiting for the limiter")
        await door.openIt()
        _ = try await a.value
        let answer = try await b.value
        #expect(answer.status == 200, "B succeeds although it waited longer than its timeout")
        #expect(await server.count("/quick") == 1, "in one attempt")
    }
}
