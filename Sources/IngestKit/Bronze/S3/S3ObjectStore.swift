import AsyncHTTPClient
import Foundation
import IngestCommon

/// Bronze in an S3-compatible bucket (MinIO, AWS S3): the production store.
///
/// Keys are the bronze layout under the optional prefix of `LAKEHOUSE_URL`.
/// An object is written with one PUT, or as a multipart upload above the
/// threshold; either way S3 shows it whole or not at all, with its provenance
/// as `x-amz-meta-*`, so the store keeps the local folder's atomicity.
public struct S3ObjectStore: ObjectStore {
    public let client: S3Client

    public init(client: S3Client) {
        self.client = client
    }

    public init(configuration: S3Configuration, http: HTTPClient = .ingest, retry: RetryPolicy = .default) {
        self.client = S3Client(configuration: configuration, http: http, retry: retry)
    }

    var configuration: S3Configuration { client.configuration }

    public var location: String { configuration.location }

    /// Creates the bucket if missing; an unreachable endpoint fails naming MINIO_ENDPOINT.
    public func prepare() async throws {
        do {
            try await client.createBucketIfMissing()
        } catch let error as IngestError where error.message.contains("gave up after") {
            throw IngestError("cannot reach S3 bronze at \(configuration.endpointDescription): \(error.message)",
                              fix: configuration.addressing == .pathStyle
                                  ? "check MINIO_ENDPOINT and that the server is running"
                                  : "check the network and S3_REGION, or set MINIO_ENDPOINT for MinIO")
        }
    }

    func objectKey(_ key: String) throws -> String {
        guard !key.isEmpty, !key.hasPrefix("/"), !key.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else {
            throw IngestError("bronze key \"\(key)\" is not a relative path", fix: "use keys like bronze/<source>/…")
        }
        return configuration.prefix + key
    }

    public func put(key: String, bytes: Data, contentType: String, metadata: [String: String]) async throws {
        let objectKey = try objectKey(key)
        if bytes.count > configuration.multipartThreshold {
            try await client.putObjectInParts(key: objectKey, bytes: bytes, contentType: contentType, metadata: metadata)
        } else {
            try await client.putObject(key: objectKey, bytes: bytes, contentType: contentType, metadata: metadata)
        }
    }

    public func get(key: String) async throws -> Data {
        guard let data = try await client.getObject(key: try objectKey(key)) else {
            throw IngestError("bronze object \(key) does not exist in \(location)", fix: "check the run id and LAKEHOUSE_URL")
        }
        return data
    }

    public func head(key: String) async throws -> [String: String]? {
        try await client.headObject(key: try objectKey(key))
    }

    public func delete(key: String) async throws {
        _ = try await client.send("DELETE", key: try objectKey(key), accept: [404])
    }

    public func listFolders(prefix: String) async throws -> [String] {
        let folders = try await client.listCommonPrefixes(prefix: configuration.prefix + prefix)
        return folders.map { String($0.dropFirst(configuration.prefix.count)) }.sorted()
    }

    public func list(prefix: String) async throws -> [String] {
        let keys = try await client.listObjects(prefix: configuration.prefix + prefix)
        return keys.map { String($0.dropFirst(configuration.prefix.count)) }.sorted()
    }
}
