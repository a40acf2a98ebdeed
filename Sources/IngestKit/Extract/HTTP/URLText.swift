import Foundation
import IngestCommon

/// URL query editing that keeps the rest of the URL as it is.
enum URLText {
    /// The URL with these query parameters set (replacing any of the same name), in the given order.
    static func setting(_ items: [(String, String)], in url: String) -> String {
        guard !items.isEmpty, var parts = URLComponents(string: url) else { return url }
        let names = Set(items.map(\.0))
        var query = (parts.percentEncodedQueryItems ?? []).filter { !names.contains($0.name) }
        for (name, value) in items {
            query.append(URLQueryItem(name: encode(name), value: encode(value)))
        }
        parts.percentEncodedQueryItems = query
        return parts.string ?? url
    }

    /// The URL without the query parameters of these names.
    static func removing(_ names: Set<String>, from url: String) -> String {
        guard var parts = URLComponents(string: url), let query = parts.percentEncodedQueryItems else { return url }
        let kept = query.filter { !names.contains($0.name) }
        parts.percentEncodedQueryItems = kept.isEmpty ? nil : kept
        return parts.string ?? url
    }

    /// A possibly relative link resolved against the page it came from.
    static func resolve(_ link: String, against base: String) -> String {
        if link.hasPrefix("http://") || link.hasPrefix("https://") { return link }
        return URL(string: link, relativeTo: URL(string: base))?.absoluteString ?? link
    }

    private static let allowed: CharacterSet = {
        var set = CharacterSet.urlQueryAllowed
        set.remove(charactersIn: "&=+?#")
        return set
    }()

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
