import AsyncHTTPClient
import Foundation
import IngestKit
import NIOCore
import Synchronization

/// The S3-compatible servers scripts/test.sh starts (moto on loopback): one that checks no
/// signature, for functional tests, and one that verifies SigV4 for one key pair.
public enum TestS3 {
    static func variable(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw IngestError("\(name) is not set", fix: "run the tests with scripts/test.sh, which starts the S3-compatible servers on loopback")
        }
        return value
    }

    /// The non-verifying server's endpoint (`INGEST_TEST_S3_ENDPOINT`).
    public static func endpoint() throws -> String { try variable("INGEST_TEST_S3_ENDPOINT") }

    /// The verifying server's endpoint and the key pair it accepts.
    public static func verifying() throws -> (endpoint: String, accessKey: String, secretKey: String) {
        (try variable("INGEST_TEST_S3_AUTH_ENDPOINT"), try variable("INGEST_TEST_S3_AUTH_ACCESS_KEY"),
         try variable("INGEST_TEST_S3_AUTH_SECRET_KEY"))
    }

    /// A bucket name no other test uses.
    public static func freshBucket() -> String {
        "t-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
    }

    /// Settings for bronze in a fresh bucket on the non-verifying server.
    public static func settings(bucket: String = freshBucket(), prefix: String = "", endpoint: String? = nil) throws -> [String: String] {
        [
            "LAKEHOUSE_URL": "s3://\(bucket)\(prefix.isEmpty ? "" : "/" + prefix)",
            "MINIO_ENDPOINT": try endpoint ?? Self.endpoint(),
            "MINIO_ACCESS_KEY": "test-access-key",
            "MINIO_SECRET_KEY": "test-secret-key-not-checked",
        ]
    }

    /// A configuration for a fresh bucket, with fast retries so failure tests stay short.
    public static func configuration(bucket: String = freshBucket(), endpoint: String? = nil,
                                     accessKey: String = "test-access-key", secretKey: String = "test-secret-key-not-checked") throws -> S3Configuration {
        try S3Configuration.from(Settings(values: [
            "LAKEHOUSE_URL": "s3://\(bucket)", "MINIO_ENDPOINT": try endpoint ?? Self.endpoint(),
            "MINIO_ACCESS_KEY": accessKey, "MINIO_SECRET_KEY": secretKey,
        ]))
    }

    /// Five attempts with short waits (`RetryPolicy.fast`). The time bound is one no busy machine reaches:
    /// tests with it are about what is retried and how often.
    public static let fastRetry = RetryPolicy.fast(attempts: 5, within: .seconds(600))
}

/// A loopback proxy in front of moto that can answer some requests itself (a 503 `SlowDown`,
/// a 403) and forwards the rest, counting every request: moto cannot inject errors.
public final class S3FaultProxy: Sendable {
    /// What to do with the n-th request (counting from 1): answer it, or `nil` to forward it.
    public typealias Fault = @Sendable (_ number: Int, _ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response?

    public let server: LoopbackHTTPServer
    private let counter: RequestCounter

    public var endpoint: String { server.baseURL }
    /// Requests received so far, answered or forwarded.
    public var requests: Int { counter.value }

    private init(server: LoopbackHTTPServer, counter: RequestCounter) {
        self.server = server
        self.counter = counter
    }

    public static func errorResponse(status: Int, code: String, message: String) -> LoopbackHTTPServer.Response {
        LoopbackHTTPServer.Response(status: status, headers: [("Content-Type", "application/xml")], body: Data("""
            <?xml version="1.0" encoding="UTF-8"?><Error><Code>\(code)</Code><Message>\(message)</Message></Error>
            """.utf8))
    }

    /// `delay` holds the n-th request's answer back (to make the client time out).
    public static func start(upstream: String, delay: @escaping @Sendable (Int, LoopbackHTTPServer.Request) -> Duration? = { _, _ in nil },
                             fault: @escaping Fault) async throws -> S3FaultProxy {
        let counter = RequestCounter()
        let server = try await LoopbackHTTPServer.start { request in
            let number = counter.next()
            if let wait = delay(number, request) { try? await Task.sleep(for: wait) }
            if let answer = fault(number, request) { return answer }
            return await forward(request, to: upstream)
        }
        return S3FaultProxy(server: server, counter: counter)
    }

    public func stop() async { await server.stop() }

    static func forward(_ request: LoopbackHTTPServer.Request, to upstream: String) async -> LoopbackHTTPServer.Response {
        let query = SigV4Signer.canonicalQuery(request.query.map { ($0.key, $0.value) })
        var outgoing = HTTPClientRequest(url: upstream + SigV4Signer.canonicalURI(request.path) + (query.isEmpty ? "" : "?" + query))
        outgoing.method = .init(rawValue: request.method)
        for (name, value) in request.headers where !["host", "content-length", "connection"].contains(name.lowercased()) {
            outgoing.headers.add(name: name, value: value)
        }
        if !request.body.isEmpty || request.method == "PUT" || request.method == "POST" {
            outgoing.body = .bytes(ByteBuffer(data: request.body))
        }
        do {
            let response = try await HTTPClient.shared.execute(outgoing, timeout: .seconds(60))
            var body = Data()
            for try await chunk in response.body { body.append(contentsOf: chunk.readableBytesView) }
            let headers = response.headers.filter { !["content-length", "connection", "transfer-encoding"].contains($0.name.lowercased()) }
            return LoopbackHTTPServer.Response(status: Int(response.status.code), headers: headers.map { ($0.name, $0.value) }, body: body)
        } catch {
            return errorResponse(status: 502, code: "ProxyError", message: "\(error)")
        }
    }
}

/// Numbers requests as they arrive.
private final class RequestCounter: Sendable {
    private let count = Mutex(0)

    var value: Int { count.withLock { $0 } }

    func next() -> Int { count.withLock { $0 += 1; return $0 } }
}
