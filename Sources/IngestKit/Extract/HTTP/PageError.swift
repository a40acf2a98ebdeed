import Foundation
import IngestCommon

/// A page that answered 2xx but says in its body that the request failed (`{"error": {...}, "results": []}`):
/// a failed request, retried like a 5xx; when the retries run out the extract fails naming the page and the message.
///
/// Where the error is: a `RESTExtractor`'s `errorPath`; by default a top-level `error` or `errors` member.
/// A member that is null, false, 0, an empty string, array or object is no error.
struct PageError: Sendable {
    /// The places looked at, each as a JSON path.
    let paths: [JSONPath]
    /// The key names the places end in: a body that contains none of them as `"name"` is not parsed.
    private let keys: [Data]

    /// `errorPath` as a `RESTExtractor` declares it: nil for the default places, "" for none.
    init?(errorPath: String?) throws {
        if errorPath == "" { return nil }
        paths = try (errorPath.map { [$0] } ?? ["error", "errors"]).map(JSONPath.init)
        keys = paths.compactMap { path in
            guard case .key(let name)? = path.steps.last(where: { if case .key = $0 { true } else { false } }) else { return nil }
            return Data("\"\(name)\"".utf8)
        }
    }

    /// The error a body carries, as text for a message (at most 300 characters, secrets masked); nil when it carries none.
    func message(in body: Data) -> (path: JSONPath, text: String)? {
        guard keys.count < paths.count || keys.contains(where: { body.range(of: $0) != nil }),
              let json = try? JSONTree.parse(body) else { return nil }
        for path in paths {
            guard let value = path.value(in: json), Self.isError(value) else { continue }
            var text = Self.text(of: value)
            if text.count > 300 { text = String(text.prefix(300)) + "…" }
            return (path, Redactor.shared.redact(text))
        }
        return nil
    }

    /// Throws a transient failure (retried like a 5xx) when `response`'s body carries an error.
    func check(_ response: HTTPFetcher.Response) throws {
        guard let (path, text) = message(in: response.body) else { return }
        throw RetryPolicy.Failure.transient(
            "GET \(Redactor.shared.redactURL(response.url)) answered \(response.status) with an error at \"\(path)\" in its body: \(text)",
            cause: "\(response.status) with an error",
            fix: "the API said the request failed, so nothing of that page is stored; act on its message (query parameters, "
                + "credentials, quota) and run again; if the API reports errors elsewhere, or that member is not an error, "
                + "set the RESTExtractor's errorPath (\"\" reads no error member)")
    }

    static func isError(_ value: JSONTree) -> Bool {
        switch value {
        case .null: return false
        case .bool(let flag): return flag
        case .number(let number): return number != 0
        case .string(let text): return !text.trimmingCharacters(in: .whitespaces).isEmpty
        case .array(let items): return !items.isEmpty
        case .object(let members): return !members.isEmpty
        }
    }

    /// An error member as text: a string as it is; an object's `message` (or `detail`, `title`, …) with its
    /// `code`; an array's first error and how many more; else the compact JSON.
    static func text(of value: JSONTree) -> String {
        switch value {
        case .string(let text):
            return text
        case .array(let items):
            let first = items.first.map(text(of:)) ?? ""
            return items.count > 1 ? "\(first) (and \(items.count - 1) more error(s))" : first
        case .object(let members):
            let message = ["message", "detail", "title", "description", "error_description", "msg", "reason"]
                .lazy.compactMap { members[$0]?.scalarText }.first
            let code = ["code", "type", "status"].lazy.compactMap { members[$0]?.scalarText }.first
            switch (message, code) {
            case let (message?, code?): return "\(message) (\(code))"
            case let (message?, nil): return message
            default: return String(decoding: value.data(), as: UTF8.self)
            }
        default:
            return value.scalarText ?? String(decoding: value.data(), as: UTF8.self)
        }
    }
}
