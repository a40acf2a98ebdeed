import Foundation
import IngestCommon

/// The request `ingestctl new --from-url URL [--header "Name: value"]` samples, split the way a
/// generated source needs it: the URL's scheme, host and port become the variable `<SOURCE>_BASE_URL`;
/// its path and query go into the REST definition (paging parameters into the paginator); a header's
/// value, or a query parameter whose name the redactor knows as secret (`api_key`, `access_token`, `token`,
/// `key`, `signature`, …), becomes the secret `<SOURCE>_API_TOKEN`, sent in that header or parameter
/// (`.apiKeyQuery(name:variable:)`). The token is never rendered.
public struct SampleRequest: Sendable {
    /// `scheme://host[:port]`.
    public var baseURL: String
    /// The URL's path, percent-decoded (`/resource/abcd-1234.json`); `/` when none.
    public var path: String
    /// Query parameters kept in the REST definition, in URL order (paging parameters removed).
    public var query: [(name: String, value: String)]
    /// The paging the query shows: `$limit`/`$offset` or `limit`/`offset`, `page` (+ `per_page`,
    /// `page_size`, `limit`), else `nil`.
    public var paging: Paging?
    /// The header that carries the token (`X-App-Token`, `Authorization`), if one was given.
    public var tokenHeader: String?
    /// The query parameter that carries the token (`api_key`), if the URL had one with a secret-looking name.
    public var tokenQuery: String?
    /// `Authorization: Bearer …` was given: the token is sent as a bearer token.
    public var bearer: Bool
    /// The secret value (for the sample request and a git-ignored `.env`; never for generated files).
    public var token: String?

    public enum Paging: Sendable, Hashable {
        case offset(offsetParameter: String, limitParameter: String, limit: Int)
        case pageNumber(parameter: String, start: Int, sizeParameter: String?, size: Int?)
    }

    /// Splits `url`; `headers` are `Name: value` texts (at most one: it carries the API token).
    /// Throws naming the URL or header and the fix.
    public init(url: String, headers: [String] = []) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else {
            throw IngestError("--from-url \"\(Redactor.shared.redactURL(url))\" is not an http(s) URL with a host",
                              fix: "give the full URL of one page of the API, e.g. https://data.example.gov/resource/abcd-1234.json?$limit=1000")
        }
        guard components.user == nil, components.password == nil else {
            throw IngestError("--from-url carries credentials in the URL", fix: "pass the token with --header \"Name: value\" instead")
        }
        self.url = url
        let hostPart = host.contains(":") ? "[\(host)]" : host
        baseURL = "\(scheme)://\(hostPart)" + (components.port.map { ":\($0)" } ?? "")
        path = components.path.isEmpty ? "/" : components.path
        var items = (components.queryItems ?? []).map { (name: $0.name, value: $0.value ?? "") }
        func take(_ name: String) -> String? {
            guard let index = items.firstIndex(where: { $0.name == name }) else { return nil }
            return items.remove(at: index).value
        }
        if let limit = take("$limit") {
            _ = take("$offset")
            paging = .offset(offsetParameter: "$offset", limitParameter: "$limit", limit: Int(limit) ?? 1000)
        } else if let limit = items.first(where: { $0.name == "limit" }), items.contains(where: { $0.name == "offset" }) || items.first(where: { $0.name == "page" }) == nil {
            _ = take("limit")
            _ = take("offset")
            paging = .offset(offsetParameter: "offset", limitParameter: "limit", limit: Int(limit.value) ?? 100)
        } else if let page = take("page") {
            let sizeName = ["per_page", "page_size", "pageSize", "limit", "size"].first { name in items.contains { $0.name == name } }
            let size = sizeName.flatMap(take).flatMap { Int($0) }
            paging = .pageNumber(parameter: "page", start: Int(page) ?? 1, sizeParameter: sizeName, size: size)
        }
        let secrets = items.filter { Redactor.isSecretParameter($0.name) }
        guard secrets.count <= 1 else {
            throw IngestError("--from-url has \(secrets.count) secret-looking query parameters (\(secrets.map(\.name).joined(separator: ", ")))",
                              fix: "keep the one that carries the API token in the URL; add the others to the generated definition by hand, read from variables")
        }
        if let secret = secrets.first {
            guard headers.isEmpty else {
                throw IngestError("--from-url has a secret-looking query parameter (\(secret.name)) and --header was given; one carries the API token",
                                  fix: "give the token either in the URL's \(secret.name) or in --header, not both")
            }
            items.removeAll { $0.name == secret.name }
            tokenQuery = secret.name
            token = secret.value
            Redactor.shared.register(secret.value)
        }
        query = items

        guard headers.count <= 1 else {
            throw IngestError("\(headers.count) --header options were given; one carries the API token",
                              fix: "pass the header that carries the token; add fixed headers to the generated REST definition's `headers:`")
        }
        bearer = false
        if let header = headers.first {
            guard let colon = header.firstIndex(of: ":") else {
                throw IngestError("--header is not \"Name: value\" (it has no colon)", fix: "write it as --header \"X-App-Token: <token>\"")
            }
            let name = header[..<colon].trimmingCharacters(in: .whitespaces)
            var value = header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw IngestError("--header's name \"\(VisibleText.escaped(name))\" is not a header name", fix: "write it as --header \"X-App-Token: <token>\"")
            }
            if name.lowercased() == "authorization", value.lowercased().hasPrefix("bearer ") {
                bearer = true
                value = String(value.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
            }
            guard !value.isEmpty else {
                throw IngestError("--header \(name) has no value", fix: "give the token: --header \"\(name): <token>\"")
            }
            tokenHeader = name
            token = value
            Redactor.shared.register(value)
        }
    }

    /// The token's variable is needed: the token comes in a header or a query parameter.
    public var hasToken: Bool { tokenHeader != nil || tokenQuery != nil }

    /// The headers to send for the sample request (the token as given).
    public var sampleHeaders: [(String, String)] {
        guard let name = tokenHeader, let token else { return [("Accept", "application/json")] }
        return [("Accept", "application/json"), (name, bearer ? "Bearer \(token)" : token)]
    }

    /// The URL as given, to sample.
    public var url: String
}
