import Foundation
import Synchronization

/// Removes secrets from any text before it reaches a log, an error message,
/// bronze metadata, the state table or a report.
///
/// Every secret read through `Settings.secret` is registered here, so a token
/// is removed even when it turns up somewhere unexpected (an echoed URL, a
/// server's error body). URLs also lose their password and secret-looking
/// query parameters.
public final class Redactor: Sendable {
    public static let shared = Redactor()
    public static let mask = "***"

    private let secrets = Mutex<Set<String>>([])

    public init() {}

    /// Registers a secret value; values shorter than 4 characters are not masked (they would mask ordinary text).
    public func register(_ secret: String) {
        guard secret.count >= 4 else { return }
        secrets.withLock { _ = $0.insert(secret) }
    }

    public func redact(_ text: String) -> String {
        let known = secrets.withLock { $0 }
        var out = text
        for secret in known.sorted(by: { $0.count > $1.count }) where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: Self.mask)
        }
        return out
    }

    /// Query parameter names whose values are secrets.
    static let secretParameterWords = ["token", "key", "secret", "password", "passwd", "signature", "auth", "credential", "sig"]

    /// A URL with its user info password and secret-looking query values replaced by `***`.
    public func redactURL(_ url: String) -> String {
        guard var parts = URLComponents(string: url) else { return redact(url) }
        if parts.password != nil { parts.password = Self.mask }
        if let items = parts.queryItems {
            parts.queryItems = items.map { item in
                let name = item.name.lowercased()
                if Self.secretParameterWords.contains(where: { name.contains($0) }), item.value != nil {
                    return URLQueryItem(name: item.name, value: Self.mask)
                }
                return item
            }
        }
        return redact(parts.string ?? url)
    }
}
