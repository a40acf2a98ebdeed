import Foundation
import IngestCommon

/// How a declarative source authenticates. Every credential is named by the
/// variable that holds it (environment or `.env`) and read with
/// `settings.secret(_:)`, so the redactor masks it in logs, errors and bronze.
public enum HTTPAuth: Sendable {
    case none
    /// `Authorization: Bearer <token>`.
    case bearer(tokenVariable: String)
    /// `Authorization: Basic base64(user:password)`.
    case basic(userVariable: String, passwordVariable: String)
    /// The key in a request header, e.g. `X-API-Key`.
    case apiKeyHeader(name: String, variable: String)
    /// The key in a query parameter, e.g. `?api_key=`; masked in every stored or logged URL.
    case apiKeyQuery(name: String, variable: String)
    /// OAuth2 client credentials: a token fetched from the token endpoint, cached,
    /// and fetched again when it expires or when the API answers 401 (once).
    case oauth2(OAuth2ClientCredentials)

    /// The credentials read from settings; throws naming the missing variable.
    func authorizer(settings: Settings, fetcher: HTTPFetcher) throws -> Authorizer {
        func secret(_ variable: String) throws -> String {
            try settings.requiredSecret(variable, purpose: "a credential of the source's API")
        }
        switch self {
        case .none:
            return Authorizer(fix: "the API wants credentials: give the source an auth scheme")
        case .bearer(let variable):
            let token = try secret(variable)
            return Authorizer(headers: [("Authorization", "Bearer \(token)")], fix: "check \(variable)")
        case .basic(let userVariable, let passwordVariable):
            let user = try secret(userVariable), password = try secret(passwordVariable)
            let encoded = Data("\(user):\(password)".utf8).base64EncodedString()
            Redactor.shared.register(encoded)
            return Authorizer(headers: [("Authorization", "Basic \(encoded)")], fix: "check \(userVariable) and \(passwordVariable)")
        case .apiKeyHeader(let name, let variable):
            return Authorizer(headers: [(name, try secret(variable))], fix: "check \(variable)")
        case .apiKeyQuery(let name, let variable):
            return Authorizer(query: [(name, try secret(variable))], fix: "check \(variable)")
        case .oauth2(let credentials):
            let session = try credentials.session(settings: settings, fetcher: fetcher)
            return Authorizer(oauth2: session, fix: "check \(credentials.clientIdVariable) and \(credentials.clientSecretVariable)")
        }
    }
}

extension Settings {
    /// A secret that must be set, registered with the redactor; the error names the variable.
    func requiredSecret(_ name: String, purpose: String) throws -> String {
        guard let value = secret(name) else {
            throw IngestError("\(name) is not set (\(purpose))", fix: "set \(name) in the environment or in .env")
        }
        return value
    }

    /// A configuration value given in code, or read from the variable that names it.
    func given(_ literal: String?, orVariable variable: String?, purpose: String, owner: String, parameter: String) throws -> String {
        if let literal { return literal }
        guard let variable else {
            throw IngestError("\(owner) has no \(purpose)", fix: "give \(owner) a \(parameter) or a \(parameter)Variable")
        }
        return try require(variable, purpose: purpose)
    }
}

/// Puts resolved credentials on requests.
struct Authorizer: Sendable {
    var headers: [(String, String)] = []
    var query: [(String, String)] = []
    var oauth2: OAuth2Session?
    /// What to check when the API answers 401 or 403.
    var fix: String

    /// The URL as sent: with a query-parameter key when the scheme has one (bronze masks it).
    func url(_ url: String) -> String {
        query.isEmpty ? url : URLText.setting(query, in: url)
    }

    /// Whether the scheme puts any credential on a request.
    var hasCredentials: Bool { !headers.isEmpty || !query.isEmpty || oauth2 != nil }

    /// The URL without the scheme's query-parameter key (for a request to another origin).
    func withoutCredentials(_ url: String) -> String {
        query.isEmpty ? url : URLText.removing(Set(query.map(\.0)), from: url)
    }

    func apply(to request: HTTPRequest, fetcher: HTTPFetcher) async throws -> HTTPRequest {
        var request = request
        request.headers.append(contentsOf: headers)
        request.url = url(request.url)
        if let oauth2 {
            request.headers.append(("Authorization", "Bearer \(try await oauth2.token(fetcher: fetcher))"))
        }
        return request
    }

    /// After a 401: true when fresh credentials can be fetched (OAuth2 only).
    func reauthorize() async -> Bool {
        guard let oauth2 else { return false }
        await oauth2.invalidate()
        return true
    }
}

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
