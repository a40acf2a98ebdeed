import Foundation
import IngestKit
import Synchronization

/// A recorded run (`ingestctl record`) or fixture files served as the API on 127.0.0.1, so a source's
/// extractor runs against what the real API sent, with no network and no demo server of your own.
///
/// ```swift
/// let recording = try Fixtures().recording("permits")            // Tests/Fixtures/permits/<run_id>/
/// try await RecordedAPI.serving(recording) { api in
///     let test = try await TestPlatform.make(kind, ["CITY_PERMITS_BASE_URL": api.baseURL, "CITY_PERMITS_API_TOKEN": "t"])
///     let report = try await test.platform.run("city_permits.permits", in: registry)
///     #expect(report.counts.parsed == recording.expected.parsed)
/// }
/// ```
///
/// A request is answered with the recorded artifact whose URL has the same path and the same query
/// parameters (a recorded value `***`, a secret removed by `record`, matches any value; the order of
/// parameters does not matter). When several artifacts share a URL they are served in recorded order.
/// The recorded origin (`http://127.0.0.1:8765`, `https://api.example.com`) is replaced by the server's
/// own in the bodies, so absolute `next` links lead back to it. Any other request gets a 404 whose JSON
/// body names the request and the recorded URLs; `unmatched` lists them for the test's assertions.
public final class RecordedAPI: Sendable {
    /// One answer the server gives: for `GET path?query` (query values `***` match anything).
    public struct Route: Sendable {
        public var path: String
        public var query: [String: String]
        public var contentType: String
        public var body: Data
        /// When true, the route answers its path whatever the query (a fixture file served by its path).
        public var anyQuery = false

        /// A route for `url` (absolute, or a path with an optional query) answered with `body`.
        public init(url: String, contentType: String = "application/json", body: Data, anyQuery: Bool = false) {
            let parts = URLComponents(string: url)
            self.path = parts?.path.isEmpty == false ? parts!.path : "/"
            var query: [String: String] = [:]
            for item in parts?.queryItems ?? [] { query[item.name] = item.value ?? "" }
            self.query = query
            self.contentType = contentType
            self.body = body
            self.anyQuery = anyQuery
        }

        func matches(_ request: LoopbackHTTPServer.Request) -> Bool {
            if anyQuery { return request.path == path }
            guard request.path == path, Set(request.query.keys) == Set(query.keys) else { return false }
            return query.allSatisfy { name, value in value.contains(Redactor.mask) || request.query[name] == value }
        }

        var display: String {
            anyQuery ? path + "?…" : query.isEmpty ? path : path + "?" + query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        }
    }

    private let server: LoopbackHTTPServer
    private let state: ServedRoutes

    /// The server's base URL, e.g. `http://127.0.0.1:54321`: give it to the source as its base URL variable.
    public var baseURL: String { server.baseURL }
    public var port: Int { server.port }

    /// Requests that matched no route (`GET /path?query`), in arrival order.
    public var unmatched: [String] { state.lock.withLock { $0.unmatched } }

    private init(server: LoopbackHTTPServer, state: ServedRoutes) {
        self.server = server
        self.state = state
    }

    /// Serves `recording`'s artifacts (see the type's description).
    /// - Parameter port: 0 (any free port), or a port of your choice, e.g. the recorded one so the
    ///   artifacts' URLs (and any `source_url` column) come out exactly as recorded.
    /// - Throws: an `IngestError` naming a missing or changed artifact file; a bind error when `port` is taken.
    public static func start(_ recording: RunRecording, port: Int = 0) async throws -> RecordedAPI {
        let routes = try recording.artifacts.map { artifact in
            Route(url: artifact.url, contentType: artifact.contentType, body: try recording.bytes(of: artifact))
        }
        return try await start(routes, origin: recording.origin, port: port)
    }

    /// Serves `routes`; `origin` (when given) is replaced by the server's base URL in every body.
    /// - Parameter requiredHeaders: headers (name, value) every request must carry, as the real API's token:
    ///   a request without one of them gets a 401 whose JSON body names the header (never the value).
    public static func start(_ routes: [Route], origin: String? = nil, port: Int = 0,
                             requiredHeaders: [(name: String, value: String)] = []) async throws -> RecordedAPI {
        let state = ServedRoutes()
        let required = requiredHeaders.map { RequiredHeader(name: $0.name, value: $0.value) }
        let server = try await LoopbackHTTPServer.start(port: port) { request in
            if let missing = required.first(where: { request.header($0.name) != $0.value }) {
                let body = try? JSONSerialization.data(withJSONObject: [
                    "error": "the request lacks the header \(missing.name) or its value is not the expected one",
                    "fix": "send the header the API requires (the source's token variable)",
                ], options: [.sortedKeys])
                return .init(status: 401, headers: [("Content-Type", "application/json")], body: body ?? Data())
            }
            let candidates = routes.indices.filter { routes[$0].matches(request) }
            guard !candidates.isEmpty else {
                let shown = "\(request.method) \(Route(url: "http://x" + request.path + Self.queryText(request.query), body: Data()).display)"
                state.lock.withLock { $0.unmatched.append(shown) }
                let recorded = routes.map(\.display)
                let body = try? JSONSerialization.data(withJSONObject: [
                    "error": "no recorded artifact answers \(shown)",
                    "recorded": recorded,
                    "fix": "the extractor asked for another URL than the recorded run did (a changed path, query or window): record the run again with `ingestctl record`",
                ], options: [.sortedKeys, .withoutEscapingSlashes])
                return .init(status: 404, headers: [("Content-Type", "application/json")], body: body ?? Data())
            }
            // The first candidate not served yet; once all were served, the last one again.
            let index = state.lock.withLock { state -> Int in
                let chosen = candidates.first { state.served[$0, default: 0] == 0 } ?? candidates.last!
                state.served[chosen, default: 0] += 1
                return chosen
            }
            var body = routes[index].body
            if let origin, origin != request.baseURL {
                body = Self.rewrite(origin, to: request.baseURL, in: body)
            }
            return .init(status: 200, headers: [("Content-Type", routes[index].contentType)], body: body)
        }
        return RecordedAPI(server: server, state: state)
    }

    /// Starts the server, runs `body` with it and stops it (awaiting the stop) on every path.
    public static func serving<T>(_ recording: RunRecording, port: Int = 0, _ body: (RecordedAPI) async throws -> T) async throws -> T {
        let api = try await start(recording, port: port)
        do {
            let result = try await body(api)
            await api.stop()
            return result
        } catch {
            await api.stop()
            throw error
        }
    }

    /// Stops listening and closes open connections.
    public func stop() async { await server.stop() }

    static func queryText(_ query: [String: String]) -> String {
        guard !query.isEmpty else { return "" }
        var parts = URLComponents()
        parts.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        return "?" + (parts.percentEncodedQuery ?? "")
    }

    /// `body` with `origin` replaced by `base`, also in JSON's escaped form (`http:\/\/host`).
    static func rewrite(_ origin: String, to base: String, in body: Data) -> Data {
        var out = body
        for (from, to) in [(origin, base), (origin.replacingOccurrences(of: "/", with: "\\/"), base.replacingOccurrences(of: "/", with: "\\/"))] {
            out = replace(Data(from.utf8), with: Data(to.utf8), in: out)
        }
        return out
    }

    private static func replace(_ needle: Data, with replacement: Data, in data: Data) -> Data {
        var out = Data()
        var start = data.startIndex
        var found = false
        while let range = data.range(of: needle, in: start..<data.endIndex) {
            out.append(data[start..<range.lowerBound])
            out.append(replacement)
            start = range.upperBound
            found = true
        }
        guard found else { return data }
        out.append(data[start..<data.endIndex])
        return out
    }
}

/// A header a request must carry.
private struct RequiredHeader: Sendable {
    var name: String
    var value: String
}

/// How often each route was served, and the requests no route answered.
private final class ServedRoutes: Sendable {
    let lock = Mutex<(served: [Int: Int], unmatched: [String])>(([:], []))
}
