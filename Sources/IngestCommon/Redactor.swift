import Foundation
import Synchronization

/// Removes secrets from any text before it reaches a log, an error message,
/// bronze metadata, the state table or a report.
///
/// Every secret read through `Settings.secret` is registered here, so a token
/// is removed even when it turns up somewhere unexpected (an echoed URL, a
/// server's error body). URLs also lose their password and secret-looking
/// query parameters.
///
/// A secret is masked in every encoding a server or a client may echo it in,
/// also mixed within one occurrence: as given, JSON-escaped (`\/`, `\"`, `\\`,
/// `\u002f`), percent-encoded with upper- or lower-case hex (`%2F`, `%2f`,
/// any character), and form-encoded (`+` for a space). HTTP Basic credentials
/// (`base64(user:secret)`) are registered as secrets of their own where the
/// header is built (`HTTPAuth.basic`, OAuth2 client credentials).
public final class Redactor: Sendable {
    public static let shared = Redactor()
    public static let mask = "***"

    private struct Known {
        var secrets: Set<String> = []
        /// Longest first, each with the pattern of its encodings.
        var ordered: [(secret: String, encodings: EncodedSecret)] = []
    }

    private let known = Mutex(Known())

    public init() {}

    /// Registers a secret value; values shorter than 4 characters are not masked (they would mask ordinary text).
    public func register(_ secret: String) {
        guard secret.count >= 4 else { return }
        known.withLock { known in
            guard known.secrets.insert(secret).inserted else { return }
            known.ordered.append((secret, EncodedSecret(secret)))
            known.ordered.sort { $0.secret.count > $1.secret.count }
        }
    }

    public func redact(_ text: String) -> String {
        let ordered = known.withLock { $0.ordered }
        guard !ordered.isEmpty else { return text }
        var out = text
        for (secret, _) in ordered where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: Self.mask)
        }
        // An encoded secret has an escape, a percent sign or a plus in it: only then is the slower search needed.
        guard out.contains(where: { $0 == "%" || $0 == "\\" || $0 == "+" }) else { return out }
        for (_, encodings) in ordered {
            out = encodings.masking(out, with: Self.mask)
        }
        return out
    }

    /// Query parameter names whose values are secrets.
    static let secretParameterWords = ["token", "key", "secret", "password", "passwd", "signature", "auth", "credential", "sig"]

    /// Whether a query parameter's name says its value is a secret (`api_key`, `access_token`, `signature`, …).
    package static func isSecretParameter(_ name: String) -> Bool {
        let name = name.lowercased()
        return secretParameterWords.contains { name.contains($0) }
    }

    /// A URL with its user info password and secret-looking query values replaced by `***`.
    public func redactURL(_ url: String) -> String {
        guard var parts = URLComponents(string: url) else { return redact(url) }
        if parts.password != nil { parts.password = Self.mask }
        if let items = parts.queryItems {
            parts.queryItems = items.map { item in
                if Self.isSecretParameter(item.name), item.value != nil {
                    return URLQueryItem(name: item.name, value: Self.mask)
                }
                return item
            }
        }
        return redact(parts.string ?? url)
    }
}

/// One secret's encodings as one pattern: each character of the secret as itself, percent-encoded
/// (its UTF-8 bytes, hex in either case), JSON-escaped (`\/`, `\"`, `\\`, `\uXXXX`) or, for a space, `+`.
struct EncodedSecret: @unchecked Sendable {
    // NSRegularExpression is immutable once made and safe to use from several threads.
    private let pattern: NSRegularExpression?

    init(_ secret: String) {
        var pattern = ""
        for scalar in secret.unicodeScalars {
            var ways = [NSRegularExpression.escapedPattern(for: String(scalar))]
            ways.append(String(scalar).utf8.map { "%" + Self.hexPattern($0) }.joined())
            if scalar.value <= 0xFFFF {
                ways.append(#"\\u"# + Self.hexPattern(UInt8(scalar.value >> 8)) + Self.hexPattern(UInt8(scalar.value & 0xFF)))
            }
            switch scalar {
            case "/": ways.append(#"\\/"#)
            case "\"": ways.append(#"\\""#)
            case "\\": ways.append(#"\\\\"#)
            case " ": ways.append(#"\+"#)
            default: break
            }
            pattern += "(?:" + ways.joined(separator: "|") + ")"
        }
        self.pattern = try? NSRegularExpression(pattern: pattern)
    }

    /// Two hex digits in either case, e.g. `2[fF]`.
    private static func hexPattern(_ byte: UInt8) -> String {
        String(format: "%02X", byte).map { $0.isLetter ? "[\($0)\($0.lowercased())]" : String($0) }.joined()
    }

    func masking(_ text: String, with mask: String) -> String {
        guard let pattern else { return text }
        return pattern.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text),
                                                withTemplate: NSRegularExpression.escapedTemplate(for: mask))
    }
}
