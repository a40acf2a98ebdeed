import AsyncHTTPClient
import Foundation
import IngestCommon
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// One HTTP request as the toolkit sends it.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: Data?

    public init(method: String = "GET", url: String, headers: [(String, String)] = [], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// HTTP on async-http-client with a timeout per attempt, a response size limit,
/// retries on transient failures (429, 408, 5xx, timeouts, dropped or cut-off
/// connections, honouring Retry-After), an optional per-source rate and
/// concurrency limit, and one re-authorization on a 401. Errors never contain secrets.
///
/// Bodies sent with `Content-Encoding: gzip` or `deflate` arrive decoded (the
/// client's response decompression, `HTTPClient.ingest`); the size limit applies
/// to the decoded body. Redirects are followed by `send`, not by the client, so
/// that credentials never follow one to another origin. Time spent waiting for
/// the limiter never counts against a request's timeout: the timeout starts
/// when the limiter lets the request through.
public struct HTTPFetcher: Sendable {
    /// Redirects followed in a row before the request fails.
    public static let maxRedirects = 10

    /// Headers that carry no credential: a request with only these may follow a redirect to another origin.
    static let plainHeaders: Set<String> = ["accept", "accept-encoding", "accept-language", "user-agent", "content-type", "content-length"]

    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: Data
        public var url: String

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }

        /// The `Location` of a redirect answer (301, 302, 303, 307, 308).
        var redirectLocation: String? {
            guard [301, 302, 303, 307, 308].contains(status), let location = header("Location"), !location.isEmpty else { return nil }
            return location
        }
    }

    public var client: HTTPClient
    /// The most one attempt may take, from sending the request to the last byte of the body.
    public var timeout: Duration
    public var maxResponseBytes: Int
    public var retry: RetryPolicy
    /// Shared by every request to one source, so parallel extracts keep to its limits.
    public var limiter: RequestLimiter?
    public var logger: Logger?

    public init(client: HTTPClient = .ingest, timeout: Duration = .seconds(30), maxResponseBytes: Int = 256 << 20,
                retry: RetryPolicy = .default, limiter: RequestLimiter? = nil, logger: Logger? = nil) {
        self.client = client
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.retry = retry
        self.limiter = limiter
        self.logger = logger
    }

    /// GETs a URL; 2xx returns, 429/5xx/network errors are retried, other statuses fail at once.
    public func get(_ url: String, headers: [(String, String)] = []) async throws -> Response {
        try await send(HTTPRequest(url: url, headers: headers))
    }

    public func send(_ request: HTTPRequest) async throws -> Response {
        try await send(prepare: { request })
    }

    /// Sends a request that `prepare` builds before every attempt (so a refreshed credential is used).
    /// On a 401, `reauthorize` is asked once for new credentials; when it returns true the request is sent again.
    ///
    /// Redirects (301, 302, 303, 307, 308) are followed here, at most `maxRedirects` in a row: `redirected`
    /// builds the request to the new URL (it decides which credentials go there, or throws). Without it, a
    /// redirect to the same origin is followed with the same request, and one to another origin only when the
    /// request has no header but plain ones (`Accept`, `User-Agent`, …); else it fails naming both origins,
    /// so no credential of this request reaches a host it was not meant for.
    ///
    /// `validate` reads each final 2xx answer (the response's `url` is the URL that answered, after
    /// redirects); a `RetryPolicy.Failure.transient` it throws is retried like a 5xx (a 200 whose body
    /// says the request failed, `PageError`).
    public func send(prepare: @Sendable () async throws -> HTTPRequest,
                     reauthorize: (@Sendable () async throws -> Bool)? = nil,
                     unauthorizedFix: String = "check the source's credentials",
                     redirected: (@Sendable (_ target: String, _ from: HTTPRequest) async throws -> HTTPRequest)? = nil,
                     validate: (@Sendable (Response) throws -> Void)? = nil) async throws -> Response {
        var reauthorized = false
        let sent = SentURL()
        while true {
            do {
                return try await retry.run(describe: { sent.value }) { [self] in
                    var request = try await prepare()
                    var hops = 0
                    while true {
                        sent.value = Redactor.shared.redactURL(request.url)
                        let response = try await attempt(request)
                        guard let location = response.redirectLocation else {
                            try validate?(response)
                            return response
                        }
                        hops += 1
                        guard hops <= Self.maxRedirects else {
                            throw IngestError("\(request.method) \(Redactor.shared.redactURL(request.url)) redirected more than \(Self.maxRedirects) times",
                                              fix: "check the source's base URL: its redirects do not end")
                        }
                        let target = URLText.resolve(location, against: request.url)
                        var next: HTTPRequest
                        if let redirected {
                            next = try await redirected(target, request)
                        } else {
                            let from = URLOrigin(request.url), to = URLOrigin(target)
                            guard from == to || request.headers.allSatisfy({ Self.plainHeaders.contains($0.0.lowercased()) }) else {
                                throw IngestError("\(request.method) \(Redactor.shared.redactURL(request.url)) redirected to another origin, \(to?.description ?? Redactor.shared.redactURL(target)), not \(from?.description ?? "its own"); the request's headers are not sent there",
                                                  fix: "point the source at the final address, \(to?.description ?? "the redirect's target")")
                            }
                            next = request
                            next.url = target
                        }
                        if response.status == 303 || (response.status == 301 || response.status == 302) && request.method == "POST" {
                            next.method = "GET"
                            next.body = nil
                        }
                        request = next
                    }
                }
            } catch let error as HTTPStatusError {
                if error.status == 401, !reauthorized, let reauthorize, try await reauthorize() {
                    reauthorized = true
                    logger?.notice("\(error.request) answered 401; sending it again with fresh credentials")
                    continue
                }
                throw error.ingestError(fix: error.status == 401 || error.status == 403 ? unauthorizedFix : nil,
                                        reauthorized: reauthorized)
            }
        }
    }

    /// One attempt, within the limiter and the timeout.
    func attempt(_ request: HTTPRequest) async throws -> Response {
        try await limiter?.acquire()
        do {
            let response = try await withTimeout(request) { try await exchange(request) }
            await limiter?.release()
            return response
        } catch {
            await limiter?.release()
            if case RetryPolicy.Failure.transient(let text, _, _, _) = error {
                logger?.notice("\(text); retrying if the retry bound allows")
            }
            throw error
        }
    }

    private func withTimeout(_ request: HTTPRequest, _ body: @escaping @Sendable () async throws -> Response) async throws -> Response {
        let timeout = self.timeout
        return try await withThrowingTaskGroup(of: Response?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            guard let first else {
                throw RetryPolicy.Failure.transient(
                    "\(request.method) \(Redactor.shared.redactURL(request.url)) did not answer within \(RetryPolicy.text(timeout))", cause: "timeout")
            }
            return first
        }
    }

    /// Why a connection failed, in words: refused (nothing listens on the host's port), reset, timed out, or a
    /// host that cannot be reached; anything else as the client said it.
    static func connectionFailure(_ error: any Error, url: String) -> String {
        let place = URLComponents(string: url).map { "\($0.host ?? "the host"):\($0.port.map(String.init) ?? ($0.scheme == "https" ? "443" : "80"))" } ?? "the host"
        switch (error as? IOError)?.errnoCode {
        case ECONNREFUSED: return "the connection was refused: nothing listens on \(place)"
        case ECONNRESET: return "the server at \(place) reset the connection"
        case ETIMEDOUT: return "connecting to \(place) timed out"
        case EHOSTUNREACH, ENETUNREACH: return "\(place) cannot be reached from this machine (no route to it)"
        default: return Redactor.shared.redact(String(describing: error))
        }
    }

    private func exchange(_ request: HTTPRequest) async throws -> Response {
        let url = request.url
        let what = "\(request.method) \(Redactor.shared.redactURL(url))"
        var outgoing = HTTPClientRequest(url: url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        logger?.debug("\(what) headers: \(redactedHeaders(request.headers))")
        let response: HTTPClientResponse
        do {
            response = try await client.execute(outgoing, timeout: .nanoseconds(Int64(timeout.nanoseconds)))
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            // The client's deadline and `withTimeout` are the same timeout: one message whichever fires first.
            throw RetryPolicy.Failure.transient("\(what) did not answer within \(RetryPolicy.text(timeout))", cause: "timeout")
        } catch {
            throw RetryPolicy.Failure.transient("\(what) failed: \(Self.connectionFailure(error, url: url))", cause: "connection failed")
        }
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: maxResponseBytes)
        } catch is NIOTooManyBytesError {
            throw RetryPolicy.Failure.permanent("\(what) answered more than \(maxResponseBytes) bytes, the response size limit")
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw RetryPolicy.Failure.transient("\(what) did not answer within \(RetryPolicy.text(timeout))", cause: "timeout")
        } catch {
            throw RetryPolicy.Failure.transient("\(what): the body was cut off: \(Redactor.shared.redact(String(describing: error)))", cause: "body cut off")
        }
        let status = Int(response.status.code)
        let result = Response(status: status, headers: response.headers.map { ($0.name, $0.value) }, body: Data(buffer: body), url: url)
        logger?.debug("\(what) answered \(status) (\(result.body.count) bytes)")
        switch status {
        case 200..<300:
            return result
        case 300..<400 where result.redirectLocation != nil:
            return result  // followed by `send`, which decides where credentials may go
        case 408, 429, 500..<600:
            throw RetryPolicy.Failure.transient("\(what) answered \(status)", retryAfter: result.header("Retry-After").flatMap { RetryAfter.parse($0) },
                                                cause: String(status))
        default:
            throw HTTPStatusError(status: status, request: what, body: result.body)
        }
    }
}

/// A status that retrying will not fix (4xx but 408 and 429).
struct HTTPStatusError: Error, CustomStringConvertible {
    var status: Int
    var request: String
    var body: Data

    var description: String { "\(request) answered \(status)" }

    func ingestError(fix: String?, reauthorized: Bool) -> IngestError {
        var text = "\(request) answered \(status)"
        switch status {
        case 401: text += reauthorized ? " (not authorized, also with fresh credentials)" : " (not authorized)"
        case 403: text += " (forbidden)"
        case 404: text += " (not found)"
        default: break
        }
        let said = Self.said(in: body)
        if let message = said.message { text += ": " + Redactor.shared.redact(message) }
        return IngestError(text, fix: fix ?? said.fix.map(Redactor.shared.redact)
                           ?? (status == 404 ? "check the source's base URL and path" : "check the request the source sends"))
    }

    /// What the body says: a JSON error's `error`, `message`, `detail` or `title` (or its first `errors[]` entry's) and
    /// its `fix` when it gives one (a recorded run's server does), else the body's first 300 characters, cut at a word.
    static func said(in body: Data) -> (message: String?, fix: String?) {
        if body.count <= 65_536, let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] {
            func text(_ entry: [String: Any]) -> String? {
                for key in ["error", "message", "detail", "title"] {
                    if let value = entry[key] as? String, !value.isEmpty { return value }
                }
                return nil
            }
            let first = (object["errors"] as? [[String: Any]])?.first
            if let message = text(object) ?? first.flatMap(text) {
                return (message, object["fix"] as? String)
            }
        }
        let whole = String(decoding: body.prefix(4_096), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard whole.count > 300 else { return (whole.isEmpty ? nil : whole, nil) }
        let head = whole.prefix(300)
        let cut = head.lastIndex(where: { $0 == " " || $0 == "\n" }).map { head[..<$0] } ?? head
        return (cut.trimmingCharacters(in: .whitespacesAndNewlines) + " …", nil)
    }
}

/// The URL of the latest attempt, for the retry policy's message.
private final class SentURL: Sendable {
    private let url = Mutex("the server")
    var value: String {
        get { url.withLock { $0 } }
        set { url.withLock { $0 = newValue } }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
