import Foundation

/// Object metadata as `x-amz-meta-*` headers and back.
///
/// Header values must be printable ASCII; anything else (a non-ASCII URL, a
/// newline) is sent as an RFC 2047 `=?UTF-8?B?…?=` word, the form S3 itself
/// uses, and decoded on the way back so metadata round-trips exactly.
enum S3Metadata {
    static let headerPrefix = "x-amz-meta-"

    static func headers(_ metadata: [String: String]) -> [(String, String)] {
        metadata.sorted { $0.key < $1.key }.map { name, value in
            (headerPrefix + name.lowercased(), encode(value))
        }
    }

    /// The metadata in response headers, names without the prefix, values decoded.
    static func metadata(from headers: [(String, String)]) -> [String: String] {
        var out: [String: String] = [:]
        for (name, value) in headers {
            let lower = name.lowercased()
            guard lower.hasPrefix(headerPrefix) else { continue }
            out[String(lower.dropFirst(headerPrefix.count))] = decode(value)
        }
        return out
    }

    static func encode(_ value: String) -> String {
        let plain = value.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
            && !(value.hasPrefix("=?") && value.hasSuffix("?="))
            && value.first != " " && value.last != " "
        return plain ? value : "=?UTF-8?B?\(Data(value.utf8).base64EncodedString())?="
    }

    static func decode(_ value: String) -> String {
        guard value.hasPrefix("=?UTF-8?B?") || value.hasPrefix("=?utf-8?b?"), value.hasSuffix("?="),
              let data = Data(base64Encoded: String(value.dropFirst(10).dropLast(2))) else { return value }
        return String(decoding: data, as: UTF8.self)
    }
}
