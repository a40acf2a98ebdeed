import Foundation
@testable import IngestKit
import IngestTestSupport
import Testing

/// Credentials go only to the API's origin: a next link or a redirect to another origin fails naming both
/// origins (the default) or is followed without them (`.drop`), for every kind of credential (issue 11, item 9).
@Suite struct CrossOriginCredentialTests {
    enum Credential: String, CaseIterable, CustomStringConvertible, Sendable {
        case bearer, basic, apiKeyHeader, apiKeyQuery, oauth2
        var description: String { rawValue }

        var auth: HTTPAuth {
            switch self {
            case .bearer: return .bearer(tokenVariable: "X_TOKEN")
            case .basic: return .basic(userVariable: "X_USER", passwordVariable: "X_PASSWORD")
            case .apiKeyHeader: return .apiKeyHeader(name: "X-API-Key", variable: "X_KEY")
            case .apiKeyQuery: return .apiKeyQuery(name: "key", variable: "X_KEY")
            case .oauth2: return .oauth2(OAuth2ClientCredentials(tokenURLVariable: "X_TOKEN_URL", clientIdVariable: "X_CLIENT",
                                                                 clientSecretVariable: "X_CLIENT_SECRET"))
            }
        }
    }

    /// How the API leads to the other origin.
    enum Route: String, CaseIterable, CustomStringConvertible, Sendable {
        /// The first page's `next` is on the other origin.
        case nextLink
        /// The first request is answered 302 with a Location on the other origin.
        case redirect
        var description: String { rawValue }
    }

    static let secrets = ["bearer-x-1a2b", "ann", "pa55-x-3c4d", "api-key-x-5e6f", "client-x", "client-secret-x-7a8b", "oauth-token-x-9c0d"]

    func settings(tokenURL: String) -> [String: String] {
        ["X_TOKEN": "bearer-x-1a2b", "X_USER": "ann", "X_PASSWORD": "pa55-x-3c4d", "X_KEY": "api-key-x-5e6f",
         "X_CLIENT": "client-x", "X_CLIENT_SECRET": "client-secret-x-7a8b", "X_TOKEN_URL": tokenURL]
    }

    /// Whether a request carries the credential (the API answers 401 without it).
    static func authorized(_ request: LoopbackHTTPServer.Request, _ credential: Credential) -> Bool {
        switch credential {
        case .bearer: return request.header("Authorization") == "Bearer bearer-x-1a2b"
        case .basic: return request.header("Authorization") == "Basic " + Data("ann:pa55-x-3c4d".utf8).base64EncodedString()
        case .apiKeyHeader: return request.header("X-API-Key") == "api-key-x-5e6f"
        case .apiKeyQuery: return request.query["key"] == "api-key-x-5e6f"
        case .oauth2: return request.header("Authorization") == "Bearer oauth-token-x-9c0d"
        }
    }

    /// Whether any secret is anywhere in a request the other origin got.
    static func leaks(_ request: LoopbackHTTPServer.Request) -> Bool {
        let text = request.headers.map { "\($0.0): \($0.1)" }.joined(separator: "\n") + "\n"
            + request.query.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        let basic = Data("ann:pa55-x-3c4d".utf8).base64EncodedString()
        return secrets.filter { $0 != "ann" }.contains { text.contains($0) } || text.contains(basic)
            || request.header("Authorization") != nil || request.header("X-API-Key") != nil || request.query["key"] != nil
    }

    /// The API (with its token endpoint) and another origin: another port on 127.0.0.1.
    func servers(_ credential: Credential, _ route: Route) async throws -> (api: TestServer, other: TestServer) {
        let other = try await TestServer.start { _, _, _ in .json(page(3, 2, extra: #""next": null"#)) }
        let otherURL = other.baseURL
        let api = try await TestServer.start { request, _, _ in
            if request.path == "/token" { return .json(#"{"access_token": "oauth-token-x-9c0d", "expires_in": 3600}"#) }
            guard Self.authorized(request, credential) else { return .json(#"{"detail": "not authorized"}"#, status: 401) }
            switch route {
            case .nextLink:
                return .json(page(0, 3, extra: #""next": "\#(otherURL)/more""#))
            case .redirect:
                return LoopbackHTTPServer.Response(status: 302, headers: [("Location", "\(otherURL)/more")], body: Data())
            }
        }
        return (api, other)
    }

    func extractor(_ api: TestServer, _ credential: Credential, _ policy: CrossOriginCredentials) -> RESTExtractor {
        RESTExtractor(baseURL: api.baseURL, path: "/items", auth: credential.auth, paginator: .nextURL(path: "next"),
                      recordsPath: "results", limits: HTTPLimits(timeout: .seconds(120), retry: fastRetry), crossOriginCredentials: policy)
    }

    static let table: [(Credential, Route)] = Credential.allCases.flatMap { c in Route.allCases.map { (c, $0) } }

    @Test(arguments: table)
    func byDefaultAnotherOriginFailsNamingBoth(_ credential: Credential, _ route: Route) async throws {
        let (api, other) = try await servers(credential, route)
        defer { Task { await api.stop(); await other.stop() } }
        let error = await #expect(throws: IngestError.self) {
            try await extractAll(extractor(api, credential, .fail), testContext(settings(tokenURL: api.baseURL + "/token")))
        }
        let text = error?.description ?? ""
        #expect(text.contains(api.baseURL) && text.contains(other.baseURL), "names both origins: \(text)")
        #expect(text.contains(route == .redirect ? "an HTTP redirect" : "the next page link"), "\(text)")
        #expect(text.contains("crossOriginCredentials: .drop"), "the fix names the policy: \(text)")
        #expect(!Self.secrets.filter { $0 != "ann" }.contains { text.contains($0) }, "\(text)")
        #expect(await other.requests.isEmpty, "nothing was sent to the other origin")
    }

    @Test(arguments: table)
    func droppingFollowsWithoutCredentials(_ credential: Credential, _ route: Route) async throws {
        let (api, other) = try await servers(credential, route)
        defer { Task { await api.stop(); await other.stop() } }
        let notes = RunNotes()
        let artifacts = try await RunNotes.$current.withValue(notes) {
            try await extractAll(extractor(api, credential, .drop), testContext(settings(tokenURL: api.baseURL + "/token")))
        }
        #expect(artifacts.count == (route == .nextLink ? 2 : 1))
        let received = await other.requests
        #expect(received.count == 1)
        #expect(!received.contains { Self.leaks($0) }, "no credential reached the other origin: \(received.map(\.headers))")
        #expect(notes.notices.contains { $0.contains(other.baseURL) && $0.contains("without the source's credentials") }, "\(notes.notices)")
        #expect(!Self.secrets.filter { $0 != "ann" }.contains { notes.notices.joined().contains($0) }, "no secret in the notices")
        for artifact in artifacts {
            #expect(!Self.secrets.filter { $0 != "ann" }.contains { Redactor.shared.redactURL(artifact.url).contains($0) }, "\(artifact.url)")
        }
    }

    /// A redirect within the API's origin keeps the credentials.
    @Test(arguments: Credential.allCases)
    func aRedirectOnTheSameOriginKeepsCredentials(_ credential: Credential) async throws {
        let api = try await TestServer.start { request, _, base in
            if request.path == "/token" { return .json(#"{"access_token": "oauth-token-x-9c0d", "expires_in": 3600}"#) }
            guard Self.authorized(request, credential) else { return .json(#"{"detail": "not authorized"}"#, status: 401) }
            if request.path == "/items" {
                return LoopbackHTTPServer.Response(status: 301, headers: [("Location", "/v2/items")], body: Data())
            }
            return .json(page(0, 3, extra: #""next": null"#))
        }
        defer { Task { await api.stop() } }
        let artifacts = try await extractAll(extractor(api, credential, .fail), testContext(settings(tokenURL: api.baseURL + "/token")))
        #expect(artifacts.count == 1)
        #expect(await api.count("/v2/items") == 1)
    }

    /// Any request through the fetcher: a redirect to another origin with a credential header fails, naming both,
    /// and sends nothing there; one with only plain headers follows.
    @Test func theFetcherNeverCarriesHeadersToAnotherOrigin() async throws {
        let other = try await TestServer.start { _, _, _ in .json("[]") }
        let otherURL = other.baseURL
        let api = try await TestServer.start { _, _, _ in
            LoopbackHTTPServer.Response(status: 307, headers: [("Location", "\(otherURL)/elsewhere")], body: Data())
        }
        defer { Task { await api.stop(); await other.stop() } }
        let fetcher = HTTPFetcher(timeout: .seconds(120), retry: fastRetry)
        let error = await #expect(throws: IngestError.self) {
            try await fetcher.get(api.baseURL + "/x", headers: [("Authorization", "Bearer fetcher-secret")])
        }
        #expect(error?.message.contains(otherURL) == true && error?.message.contains(api.baseURL) == true, "\(error?.description ?? "")")
        #expect(await other.requests.isEmpty)
        // A request with nothing to leak (a plain download) follows the redirect.
        let plain = try await fetcher.get(api.baseURL + "/x", headers: [("Accept", "application/json")])
        #expect(plain.status == 200)
        #expect(plain.url == otherURL + "/elsewhere")
        #expect(await other.count("/elsewhere") == 1)
    }
}
