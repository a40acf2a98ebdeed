import Foundation
import IngestCommon

/// Where S3-compatible bronze lives and how to reach it, from the settings:
/// `LAKEHOUSE_URL=s3://<bucket>[/<prefix>]`, `MINIO_ENDPOINT` (unset: AWS),
/// `MINIO_ACCESS_KEY`, `MINIO_SECRET_KEY`, `S3_REGION` (default us-east-1).
///
/// With an endpoint (MinIO, moto) requests are path-style
/// (`http://host:9000/<bucket>/<key>`); without one they go to AWS
/// virtual-hosted style (`https://<bucket>.s3.<region>.amazonaws.com/<key>`).
public struct S3Configuration: Sendable {
    public enum Addressing: Sendable, Equatable {
        case pathStyle
        case virtualHosted
    }

    public var bucket: String
    /// Prepended to every key, empty or ending in `/`.
    public var prefix: String
    /// Scheme, host and port, e.g. `http://127.0.0.1:9000`; never a path.
    public var endpoint: URL
    public var addressing: Addressing
    public var region: String
    public var credentials: SigV4Signer.Credentials
    /// Objects larger than this go up in parts.
    public var multipartThreshold: Int = 64 << 20
    /// Size of each part but the last; S3 refuses parts under 5 MiB.
    public var partSize: Int = 16 << 20
    /// The longest one request may take, including its body.
    public var requestTimeout: Duration = .seconds(300)

    public static let minimumPartSize = 5 << 20

    public init(bucket: String, prefix: String = "", endpoint: URL, addressing: Addressing, region: String,
                credentials: SigV4Signer.Credentials) {
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint = endpoint
        self.addressing = addressing
        self.region = region
        self.credentials = credentials
    }

    /// Reads the S3 settings for a `LAKEHOUSE_URL` that starts with `s3://`.
    public static func from(_ settings: Settings) throws -> S3Configuration {
        let lakehouse = try settings.require("LAKEHOUSE_URL", purpose: "the bronze bucket")
        guard let parts = URLComponents(string: lakehouse), parts.scheme == "s3", let bucket = parts.host, !bucket.isEmpty else {
            throw IngestError("LAKEHOUSE_URL=\(Redactor.shared.redactURL(lakehouse)) is not an s3:// URL",
                              fix: "write it as s3://<bucket> or s3://<bucket>/<prefix>, e.g. s3://lakehouse")
        }
        guard isValidBucketName(bucket) else {
            throw IngestError("bucket name \"\(bucket)\" in LAKEHOUSE_URL is not a valid S3 bucket name",
                              fix: "use 3-63 lower-case letters, digits, - and ., e.g. s3://lakehouse")
        }
        var prefix = parts.path.split(separator: "/").joined(separator: "/")
        if !prefix.isEmpty { prefix += "/" }
        let region = settings["S3_REGION"] ?? "us-east-1"
        guard let accessKey = settings.secret("MINIO_ACCESS_KEY") else {
            throw IngestError("MINIO_ACCESS_KEY is not set (the access key for LAKEHOUSE_URL=\(lakehouse))",
                              fix: "set MINIO_ACCESS_KEY and MINIO_SECRET_KEY in the environment or in .env (see .env.example)")
        }
        guard let secretKey = settings.secret("MINIO_SECRET_KEY") else {
            throw IngestError("MINIO_SECRET_KEY is not set (the secret key for LAKEHOUSE_URL=\(lakehouse))",
                              fix: "set MINIO_SECRET_KEY in the environment or in .env (see .env.example)")
        }
        let credentials = SigV4Signer.Credentials(accessKey: accessKey, secretKey: secretKey)
        if let endpointText = settings["MINIO_ENDPOINT"] {
            guard let endpoint = URLComponents(string: endpointText), let scheme = endpoint.scheme, ["http", "https"].contains(scheme),
                  endpoint.host?.isEmpty == false, endpoint.path.isEmpty || endpoint.path == "/", let url = endpoint.url
            else {
                throw IngestError("MINIO_ENDPOINT=\(Redactor.shared.redactURL(endpointText)) is not an http(s)://host[:port] URL",
                                  fix: "set MINIO_ENDPOINT like http://127.0.0.1:9000 (no path), or unset it for AWS S3")
            }
            return S3Configuration(bucket: bucket, prefix: prefix, endpoint: url, addressing: .pathStyle, region: region, credentials: credentials)
        }
        return S3Configuration(bucket: bucket, prefix: prefix, endpoint: URL(string: "https://s3.\(region).amazonaws.com")!,
                               addressing: .virtualHosted, region: region, credentials: credentials)
    }

    /// S3's rules for new buckets: 3–63 of a-z, 0-9, '-', '.', starting and ending with a letter or digit.
    static func isValidBucketName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count) else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 48 && b <= 57) }
        return alnum(bytes.first!) && alnum(bytes.last!) && bytes.allSatisfy { alnum($0) || $0 == 45 || $0 == 46 }
    }

    /// Where the store is, for messages: `s3://bucket/prefix at <endpoint>` (no secrets).
    public var location: String {
        "s3://\(bucket)/\(prefix) at \(endpointDescription)"
    }

    /// The endpoint and the variable that sets it, for messages.
    public var endpointDescription: String {
        addressing == .pathStyle ? "\(endpoint.absoluteString) (MINIO_ENDPOINT)" : "\(virtualHost) (AWS; MINIO_ENDPOINT unset)"
    }

    var virtualHost: String { "\(bucket).s3.\(region).amazonaws.com" }

    /// The host and port a request goes to, as the `Host` header carries it.
    var hostHeader: String {
        switch addressing {
        case .virtualHosted:
            return virtualHost
        case .pathStyle:
            let host = endpoint.host ?? "127.0.0.1"
            guard let port = endpoint.port else { return host }
            let isDefault = (endpoint.scheme == "http" && port == 80) || (endpoint.scheme == "https" && port == 443)
            return isDefault ? host : "\(host):\(port)"
        }
    }

    var scheme: String { endpoint.scheme ?? "https" }

    /// The raw (unencoded) path of an object's key, or of the bucket when `key` is nil.
    func path(forKey key: String?) -> String {
        switch addressing {
        case .pathStyle: return "/\(bucket)" + (key.map { "/\($0)" } ?? "")
        case .virtualHosted: return "/" + (key ?? "")
        }
    }
}
