import Crypto
import Foundation

/// AWS Signature Version 4, as S3 checks it: a pure function from a request's
/// parts, the credentials and a time to the headers that authorize it.
///
/// Kept free of I/O so it can be proven by known answers (AWS's published
/// examples and botocore's signer). S3 encodes the path once (no double
/// encoding, no dot-segment normalisation), which is what `canonicalURI` does.
public struct SigV4Signer: Sendable {
    public struct Credentials: Sendable {
        public var accessKey: String
        public var secretKey: String

        public init(accessKey: String, secretKey: String) {
            self.accessKey = accessKey
            self.secretKey = secretKey
        }
    }

    /// What the body contributes to the signature.
    public enum Payload: Sendable, Equatable {
        /// The body's bytes are hashed and signed (S3 rejects a body that does not match).
        case bytes(Data)
        /// A precomputed lowercase hex SHA-256 of the body.
        case sha256(String)
        /// `UNSIGNED-PAYLOAD`: only the headers are signed (S3 over TLS).
        case unsigned

        public var hash: String {
            switch self {
            case .bytes(let data): return SigV4Signer.hex(SHA256.hash(data: data))
            case .sha256(let hex): return hex
            case .unsigned: return "UNSIGNED-PAYLOAD"
            }
        }
    }

    /// A request to sign: the path is raw (not yet percent-encoded), the query as name/value pairs.
    public struct Request: Sendable {
        public var method: String
        public var host: String
        public var path: String
        public var query: [(String, String)]
        public var headers: [(String, String)]

        public init(method: String, host: String, path: String, query: [(String, String)] = [], headers: [(String, String)] = []) {
            self.method = method
            self.host = host
            self.path = path
            self.query = query
            self.headers = headers
        }
    }

    /// The headers to add to the request, and the intermediate strings (for tests and debugging, never for logs).
    public struct Signature: Sendable {
        public var headers: [(String, String)]
        public var canonicalRequest: String
        public var stringToSign: String
        public var authorization: String
    }

    public var credentials: Credentials
    public var region: String
    public var service: String
    /// Whether to add `x-amz-content-sha256` (S3 requires it; other services' test vectors do not have it).
    public var addsContentSHA256: Bool

    public init(credentials: Credentials, region: String, service: String = "s3", addsContentSHA256: Bool = true) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.addsContentSHA256 = addsContentSHA256
    }

    public func sign(_ request: Request, payload: Payload, date: Date) -> Signature {
        let (amzDate, day) = Self.timestamps(date)
        let payloadHash = payload.hash
        var headers = request.headers
        if !headers.contains(where: { $0.0.lowercased() == "host" }) { headers.append(("Host", request.host)) }
        headers.append(("X-Amz-Date", amzDate))
        if addsContentSHA256 { headers.append(("X-Amz-Content-SHA256", payloadHash)) }

        // Canonical headers: lower-case names, trimmed values with inner runs of spaces collapsed,
        // repeated names joined by commas, sorted by name.
        var grouped: [String: [String]] = [:]
        for (name, value) in headers {
            grouped[name.lowercased(), default: []].append(Self.collapseSpaces(value))
        }
        let names = grouped.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(grouped[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")

        let canonicalRequest = [
            request.method,
            Self.canonicalURI(request.path),
            Self.canonicalQuery(request.query),
            canonicalHeaders,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", amzDate, scope, Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8))),
        ].joined(separator: "\n")

        var key = SymmetricKey(data: Data("AWS4\(credentials.secretKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKey)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"

        var added: [(String, String)] = [("X-Amz-Date", amzDate)]
        if addsContentSHA256 { added.append(("X-Amz-Content-SHA256", payloadHash)) }
        added.append(("Authorization", authorization))
        return Signature(headers: added, canonicalRequest: canonicalRequest, stringToSign: stringToSign, authorization: authorization)
    }

    /// `20130524T000000Z` and `20130524`, in UTC.
    static func timestamps(_ date: Date) -> (String, String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let day = String(format: "%04d%02d%02d", c.year!, c.month!, c.day!)
        return (day + String(format: "T%02d%02d%02dZ", c.hour!, c.minute!, c.second!), day)
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters; `/` kept when `keepSlash`.
    public static func uriEncode(_ text: String, keepSlash: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// The path as sent and as signed: each segment encoded once (S3 style).
    public static func canonicalURI(_ path: String) -> String {
        path.isEmpty ? "/" : uriEncode(path, keepSlash: true)
    }

    /// Encoded names and values, sorted by encoded name then value, `=` always present.
    public static func canonicalQuery(_ query: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { (uriEncode($0.0, keepSlash: false), uriEncode($0.1, keepSlash: false)) }
        let sorted = encoded.sorted { (a: (name: String, value: String), b: (name: String, value: String)) -> Bool in
            a.name == b.name ? a.value < b.value : a.name < b.name
        }
        return sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    static func collapseSpaces(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
