import ArgumentParser
import Foundation
import IngestKit
import Logging

/// `ingestbench extract`: a paged API that answers every request after a fixed latency, read by
/// the REST toolkit one page at a time (the baseline) and with pages fetched concurrently
/// (offset paging with a known total, `HTTPLimits.maxConcurrentRequests`), in the same run.
/// Issue 12's target: 1,000 pages at concurrency 4 take at most 1/3 of the sequential time.
struct ExtractBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Seconds to read a paged API with added latency: sequential against concurrent pages.")

    @Option(help: "Pages the API serves.")
    var pages = 1_000

    @Option(help: "Records a page.")
    var pageSize = 10

    @Option(help: "Milliseconds the API waits before each answer.")
    var latencyMs = 20

    @Option(help: "Requests at once in the concurrent read (the source's maxConcurrentRequests).")
    var concurrency = 4

    func run() async throws {
        let total = pages * pageSize, size = pageSize, latency = Duration.milliseconds(latencyMs)
        let server = try await LoopbackHTTPServer.start { request in
            try? await Task.sleep(for: latency)
            let offset = Int(request.query["offset"] ?? "0") ?? 0
            let records = (offset..<min(total, offset + size)).map { #"{"id": \#($0), "name": "record \#($0)"}"# }
            return .json(#"{"count": \#(total), "results": [\#(records.joined(separator: ","))]}"#)
        }
        defer { Task { await server.stop() } }
        print("ingestbench extract: \(pages) pages of \(pageSize) records, \(latencyMs) ms latency a response, loopback HTTP")

        let sequential = try await read(server.baseURL, concurrency: nil)
        let concurrent = try await read(server.baseURL, concurrency: concurrency)
        print("  sequential (the baseline):  \(format(sequential.seconds))  \(sequential.pages) pages in order")
        print("  concurrency \(concurrency):               \(format(concurrent.seconds))  \(concurrent.pages) pages in order")
        let ratio = concurrent.seconds / sequential.seconds
        print(String(format: "  concurrent / sequential: %.2f (target ≤ 0.33: %@)", ratio, ratio <= 1.0 / 3.0 ? "met" : "NOT met"))
    }

    /// Reads every page into a sink that keeps only their ids; fails unless they came in page order.
    private func read(_ baseURL: String, concurrency: Int?) async throws -> (seconds: Double, pages: Int) {
        let ids = IdLog()
        let extractor = RESTExtractor(
            baseURL: baseURL, path: "/records", paginator: .offset(limit: pageSize), recordsPath: "results",
            stop: PageStop(totalPath: "count", maxPages: pages + 1),
            limits: HTTPLimits(timeout: .seconds(120), maxConcurrentRequests: concurrency))
        let context = ExtractionContext(runId: "bench", runTime: Date(), lookbackDays: 0, lastWatermark: nil, settings: Settings(values: [:]),
                                        http: HTTPFetcher(), logger: Logger(label: "ingestbench"), say: { _ in })
        let start = ContinuousClock.now
        try await extractor.extract(context, into: ArtifactSink { await ids.add($0.artifactId) })
        let elapsed = ContinuousClock.now - start
        let stored = await ids.ids
        guard stored == (1...pages).map({ String(format: "page_%05d", $0) }) else {
            throw ValidationError("the pages were not stored in page order (\(stored.count) stored)")
        }
        return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, stored.count)
    }
}

private actor IdLog {
    private(set) var ids: [String] = []
    func add(_ id: String) { ids.append(id) }
}
