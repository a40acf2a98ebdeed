import AsyncHTTPClient
import Foundation
import IngestCommon
import NIOCore
import NIOHTTP1

/// A small HTTP GET on async-http-client, with a timeout, a size limit, and
/// retries on transient failures. Errors never contain secrets.
public struct HTTPFetcher: Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: Data
        public var url: String

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    public var client: HTTPClient
    public var timeout: Duration
    public var maxResponseBytes: Int
    public var retry: RetryPolicy

    public init(client: HTTPClient = .shared, timeout: Duration = .seconds(30), maxResponseBytes: Int = 256 << 20,
                retry: RetryPolicy = .default) {
        self.client = client
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.retry = retry
    }

    /// GETs a URL; 2xx returns, 429/5xx/network errors are retried, other statuses fail at once.
    public func get(_ url: String, headers: [(String, String)] = []) async throws -> Response {
        try await retry.run(describe: { Redactor.shared.redactURL(url) }) {
            var request = HTTPClientRequest(url: url)
            request.method = .GET
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
            } catch {
                throw RetryPolicy.Failure.transient("GET \(Redactor.shared.redactURL(url)) failed: \(Redactor.shared.redact(String(describing: error)))")
            }
            let body: ByteBuffer
            do {
                body = try await response.body.collect(upTo: maxResponseBytes)
            } catch let error as NIOTooManyBytesError {
                _ = error
                throw RetryPolicy.Failure.permanent("GET \(Redactor.shared.redactURL(url)) answered more than \(maxResponseBytes) bytes")
            } catch {
                throw RetryPolicy.Failure.transient("GET \(Redactor.shared.redactURL(url)) body was cut off: \(Redactor.shared.redact(String(describing: error)))")
            }
            let status = Int(response.status.code)
            let result = Response(status: status, headers: response.headers.map { ($0.name, $0.value) }, body: Data(buffer: body), url: url)
            switch status {
            case 200..<300:
                return result
            case 429, 500..<600:
                let retryAfter = result.header("Retry-After").flatMap(Double.init).map { Duration.milliseconds(Int($0 * 1000)) }
                throw RetryPolicy.Failure.transient("GET \(Redactor.shared.redactURL(url)) answered \(status)", retryAfter: retryAfter)
            case 401, 403:
                throw RetryPolicy.Failure.permanent("GET \(Redactor.shared.redactURL(url)) answered \(status) (not authorized): check the source's token variable")
            default:
                throw RetryPolicy.Failure.permanent("GET \(Redactor.shared.redactURL(url)) answered \(status)")
            }
        }
    }
}
