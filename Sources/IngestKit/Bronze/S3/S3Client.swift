import AsyncHTTPClient
import Foundation
import IngestCommon
import NIOCore
import NIOHTTP1

/// A small S3 client on async-http-client: the calls bronze needs, each signed
/// with SigV4 and retried with backoff on 5xx, `SlowDown` and network errors.
///
/// Authentication errors are never retried: they become an `IngestError` that
/// names the variable to check. No error or log line carries a secret.
public struct S3Client: Sendable {
    /// An answer: status, headers and the whole body (the same shape the HTTP fetcher returns).
    public typealias Response = HTTPFetcher.Response

    public var configuration: S3Configuration
    public var http: HTTPClient
    public var retry: RetryPolicy
    var signer: SigV4Signer

    public init(configuration: S3Configuration, http: HTTPClient = .ingest, retry: RetryPolicy = .default) {
        self.configuration = configuration
        self.http = http
        self.retry = retry
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
    }

    // MARK: Buckets

    /// Creates the bucket unless it exists (and is ours).
    public func createBucketIfMissing() async throws {
        let head = try await send("HEAD", key: nil, accept: [404])
        guard head.status == 404 else { return }
        var body = Data()
        if configuration.region != "us-east-1" {
            body = Data("""
                <CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\
                <LocationConstraint>\(S3XML.escape(configuration.region))</LocationConstraint></CreateBucketConfiguration>
                """.utf8)
        }
        let created = try await send("PUT", key: nil, body: body, accept: [409])
        if created.status == 409, S3XML.first("Code", in: created.body) != "BucketAlreadyOwnedByYou" {
            throw IngestError("bucket \(configuration.bucket) exists and belongs to someone else (\(configuration.endpointDescription))",
                              fix: "choose another bucket name in LAKEHOUSE_URL")
        }
    }

    // MARK: Objects

    /// One PUT: S3 makes the object visible whole or not at all.
    public func putObject(key: String, bytes: Data, contentType: String, metadata: [String: String]) async throws {
        let headers = [("Content-Type", contentType)] + S3Metadata.headers(metadata)
        _ = try await send("PUT", key: key, headers: headers, body: bytes)
    }

    /// Uploads in parts of `configuration.partSize`; the object appears only when the upload completes,
    /// and a failed upload is aborted so no parts are left behind.
    public func putObjectInParts(key: String, bytes: Data, contentType: String, metadata: [String: String]) async throws {
        let partSize = max(configuration.partSize, S3Configuration.minimumPartSize)
        let headers = [("Content-Type", contentType)] + S3Metadata.headers(metadata)
        let created = try await send("POST", key: key, query: [("uploads", "")], headers: headers)
        guard let uploadId = S3XML.first("UploadId", in: created.body) else {
            throw IngestError("S3 did not return an upload id for \(describe(key))", fix: "check that \(configuration.endpointDescription) is S3-compatible")
        }
        do {
            var etags: [String] = []
            var offset = bytes.startIndex
            while offset < bytes.endIndex {
                let end = min(offset + partSize, bytes.endIndex)
                let number = etags.count + 1
                let part = try await send("PUT", key: key, query: [("partNumber", String(number)), ("uploadId", uploadId)],
                                          body: bytes.subdata(in: offset..<end))
                guard let etag = part.header("ETag") else {
                    throw IngestError("S3 returned no ETag for part \(number) of \(describe(key))", fix: "retry the run")
                }
                etags.append(etag)
                offset = end
            }
            let parts = etags.enumerated().map { "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\(S3XML.escape($0.element))</ETag></Part>" }
            let body = Data("<CompleteMultipartUpload>\(parts.joined())</CompleteMultipartUpload>".utf8)
            let completed = try await send("POST", key: key, query: [("uploadId", uploadId)], body: body)
            // S3 may answer 200 with an error document when completion fails late.
            if String(decoding: completed.body, as: UTF8.self).contains("<Error>") {
                throw IngestError("S3 could not complete the upload of \(describe(key)): \(S3XML.first("Code", in: completed.body) ?? "error")",
                                  fix: "retry the run")
            }
        } catch {
            _ = try? await send("DELETE", key: key, query: [("uploadId", uploadId)], accept: [404])
            throw error
        }
    }

    /// The object's bytes, read from the streaming body, or `nil` when there is no such object.
    public func getObject(key: String) async throws -> Data? {
        let response = try await send("GET", key: key, accept: [404])
        return response.status == 404 ? nil : response.body
    }

    /// The object's metadata (and `content-type`), or `nil` when there is no such object.
    public func headObject(key: String) async throws -> [String: String]? {
        let response = try await send("HEAD", key: key, accept: [404])
        guard response.status != 404 else { return nil }
        var metadata = S3Metadata.metadata(from: response.headers)
        if metadata["content-type"] == nil, let type = response.header("Content-Type") { metadata["content-type"] = type }
        return metadata
    }

    /// Every key under `prefix`, following continuation tokens past S3's 1,000 keys a page.
    public func listObjects(prefix: String, pageSize: Int = 1000) async throws -> [String] {
        var keys: [String] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", String(pageSize))]
            if let token { query.append(("continuation-token", token)) }
            let page = try await send("GET", key: nil, query: query)
            keys += S3XML.values(of: "Key", in: page.body)
            token = S3XML.first("IsTruncated", in: page.body) == "true" ? S3XML.first("NextContinuationToken", in: page.body) : nil
        } while token != nil
        return keys
    }

    /// The common prefixes one level below `prefix` (ListObjectsV2 with `delimiter=/`), every page.
    public func listCommonPrefixes(prefix: String, pageSize: Int = 1000) async throws -> [String] {
        var prefixes: [String] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", prefix), ("delimiter", "/"), ("max-keys", String(pageSize))]
            if let token { query.append(("continuation-token", token)) }
            let page = try await send("GET", key: nil, query: query)
            // Each <CommonPrefixes> holds one <Prefix>; the answer's own <Prefix> (the request's) stands outside them.
            for group in S3XML.values(of: "CommonPrefixes", in: page.body, decoded: false) {
                prefixes += S3XML.values(of: "Prefix", in: Data(group.utf8))
            }
            token = S3XML.first("IsTruncated", in: page.body) == "true" ? S3XML.first("NextContinuationToken", in: page.body) : nil
        } while token != nil
        return prefixes
    }

    // MARK: Requests

    func describe(_ key: String?) -> String {
        "s3://\(configuration.bucket)/\(key ?? "")"
    }

    /// Signs and sends one request, retrying transient failures; statuses in `accept` are returned, other non-2xx throw.
    public func send(_ method: String, key: String?, query: [(String, String)] = [], headers: [(String, String)] = [],
                     body: Data = Data(), accept: Set<Int> = []) async throws -> Response {
        let what = "\(method) \(describe(key))"
        let path = configuration.path(forKey: key)
        let queryString = SigV4Signer.canonicalQuery(query)
        let url = "\(configuration.scheme)://\(configuration.hostHeader)\(SigV4Signer.canonicalURI(path))"
            + (queryString.isEmpty ? "" : "?" + queryString)
        let payloadHash = SigV4Signer.Payload.bytes(body).hash
        let timeout = configuration.requestTimeout
        return try await retry.run(describe: { configuration.endpointDescription }) {
            var signed = headers
            signed.append(("Host", configuration.hostHeader))
            let signature = signer.sign(SigV4Signer.Request(method: method, host: configuration.hostHeader, path: path, query: query, headers: signed),
                                        payload: .sha256(payloadHash), date: Date())
            var request = HTTPClientRequest(url: url)
            request.method = HTTPMethod(rawValue: method)
            for (name, value) in signed + signature.headers { request.headers.add(name: name, value: value) }
            if !body.isEmpty || method == "PUT" || method == "POST" {
                request.body = .bytes(ByteBuffer(data: body))
            }
            let response: HTTPClientResponse
            var data = Data()
            do {
                response = try await http.execute(request, timeout: .nanoseconds(timeout.components.seconds * 1_000_000_000
                                                                                  + timeout.components.attoseconds / 1_000_000_000))
                if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), method != "HEAD" {
                    data.reserveCapacity(length)
                }
                for try await chunk in response.body { data.append(contentsOf: chunk.readableBytesView) }
            } catch {
                throw RetryPolicy.Failure.transient("S3 \(what) failed: \(Redactor.shared.redact(String(describing: error)))", cause: "S3 connection failed")
            }
            let status = Int(response.status.code)
            let result = Response(status: status, headers: response.headers.map { ($0.name, $0.value) }, body: data, url: url)
            if (200..<300).contains(status) || accept.contains(status) { return result }
            throw failure(what, result)
        }
    }

    /// What a non-2xx answer means: retry (5xx, SlowDown, RequestTimeout), or stop with an error naming the fix.
    func failure(_ what: String, _ response: Response) -> any Error {
        let code = S3XML.first("Code", in: response.body) ?? ""
        let message = Redactor.shared.redact(S3XML.first("Message", in: response.body) ?? "")
        let answered = "S3 \(what) answered \(response.status)\(code.isEmpty ? "" : " \(code)")\(message.isEmpty ? "" : ": \(message)")"
        switch (response.status, code) {
        case (500..<600, _), (429, _), (_, "SlowDown"), (_, "RequestTimeout"), (_, "InternalError"):
            let retryAfter = response.header("Retry-After").flatMap(Double.init).map { Duration.milliseconds(Int($0 * 1000)) }
            return RetryPolicy.Failure.transient(answered, retryAfter: retryAfter, cause: "S3 \(response.status)\(code.isEmpty ? "" : " \(code)")")
        case (_, "SignatureDoesNotMatch"):
            return IngestError("\(answered) (the secret key does not match the access key)",
                               fix: "check MINIO_SECRET_KEY (and that MINIO_ACCESS_KEY is its pair)")
        case (_, "InvalidAccessKeyId"):
            return IngestError("\(answered) (the access key is unknown to \(configuration.endpointDescription))",
                               fix: "check MINIO_ACCESS_KEY")
        case (_, "RequestTimeTooSkewed"):
            return IngestError(answered, fix: "set this machine's clock right (SigV4 allows 15 minutes of skew)")
        case (301, _), (_, "AuthorizationHeaderMalformed"), (_, "PermanentRedirect"):
            return IngestError(answered, fix: "check S3_REGION: bucket \(configuration.bucket) lives in another region")
        case (401, _), (403, _):
            return IngestError("\(answered) (not authorized)",
                               fix: "check MINIO_ACCESS_KEY and MINIO_SECRET_KEY, and that the key may read and write bucket \(configuration.bucket)")
        default:
            return IngestError(answered, fix: "check LAKEHOUSE_URL and \(configuration.endpointDescription)")
        }
    }
}
