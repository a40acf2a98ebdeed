import Foundation
import IngestKit
import Logging

/// A real HTTP server on 127.0.0.1 whose answers a test scripts, recording every request it gets
/// and how many were in flight at once.
final class TestServer: Sendable {
    typealias Handler = @Sendable (_ request: LoopbackHTTPServer.Request, _ call: Int, _ baseURL: String) async -> LoopbackHTTPServer.Response

    let server: LoopbackHTTPServer
    let log: RequestLog
    var baseURL: String { server.baseURL }

    private init(server: LoopbackHTTPServer, log: RequestLog) {
        self.server = server
        self.log = log
    }

    /// `call` counts the requests to the same path, from 1.
    static func start(_ handler: @escaping Handler) async throws -> TestServer {
        let log = RequestLog()
        let server = try await LoopbackHTTPServer.start { request in
            let call = await log.begin(request)
            let response = await handler(request, call, request.baseURL)
            await log.end()
            return response
        }
        return TestServer(server: server, log: log)
    }

    func stop() async { await server.stop() }
    var requests: [LoopbackHTTPServer.Request] { get async { await log.requests } }
    func count(_ path: String) async -> Int { await log.requests.filter { $0.path == path }.count }
}

actor RequestLog {
    private(set) var requests: [LoopbackHTTPServer.Request] = []
    private(set) var arrivals: [ContinuousClock.Instant] = []
    private(set) var inFlight = 0
    private(set) var maxInFlight = 0

    func begin(_ request: LoopbackHTTPServer.Request) -> Int {
        requests.append(request)
        arrivals.append(ContinuousClock.now)
        inFlight += 1
        maxInFlight = max(maxInFlight, inFlight)
        return requests.filter { $0.path == request.path }.count
    }

    func end() { inFlight -= 1 }
}

/// Retries fast enough for tests; the total bound is generous because a busy machine slows every answer
/// (tests of the bound itself use their own policy).

/// An extraction context for running an extractor outside the pipeline.
func testContext(_ values: [String: String] = [:], lookbackDays: Int = 7, lastWatermark: String? = nil,
                 runTime: Date = Date()) -> ExtractionContext {
    ExtractionContext(runId: "test-run", runTime: runTime, lookbackDays: lookbackDays, lastWatermark: lastWatermark,
                      settings: Settings(values: values), http: HTTPFetcher(), logger: Logger(label: "test"), say: { _ in })
}

/// Runs an extractor and returns what it stored.
func extractAll(_ extractor: some Extractor, _ context: ExtractionContext) async throws -> [RawArtifact] {
    let stored = Stored()
    try await extractor.extract(context, into: ArtifactSink { await stored.add($0) })
    return await stored.items
}

actor Stored {
    var items: [RawArtifact] = []
    func add(_ artifact: RawArtifact) { items.append(artifact) }
}

/// `{"results": [...], ...extra}` with `count` records named from `start`.
func page(_ start: Int, _ count: Int, extra: String = "") -> String {
    let items = (start..<(start + count)).map { #"{"id": "I\#($0)", "name": "item \#($0)", "day": "2025-01-\#(String(format: "%02d", $0 % 28 + 1))"}"# }
    return #"{"results": [\#(items.joined(separator: ","))]\#(extra.isEmpty ? "" : ", " + extra)}"#
}
