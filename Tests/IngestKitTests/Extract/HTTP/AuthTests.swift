import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// Every auth scheme against a server that checks it; credentials never reach stored URLs or errors.
@Suite struct AuthTests {
    let fast = HTTPLimits(timeout: .seconds(60), retry: fastRetry)

    /// Two pages via next links, each answered only when `authorized` accepts the request.
    func server(_ authorized: @escaping @Sendable (LoopbackHTTPServer.Request) -> Bool) async throws -> TestServer {
        try await TestServer.start { request, _, base in
            guard authorized(request) else { return .json(#"{"detail": "not authorized"}"#, status: 401) }
            let second = request.query["page"] == "2"
            return .json(page(second ? 10 : 0, 10, extra: second ? #""next": null"# : #""next": "\#(base)/items?page=2""#))
        }
    }

    func extractor(_ server: TestServer, _ auth: HTTPAuth) -> RESTExtractor {
        RESTExtractor(baseURL: server.baseURL, path: "/items", auth: auth, paginator: .nextURL(path: "next"), recordsPath: "results", limits: fast)
    }

    @Test func bearer() async throws {
        let server = try await server { $0.header("Authorization") == "Bearer bearer-secret-1" }
        defer { Task { await server.stop() } }
        let artifacts = try await extractAll(extractor(server, .bearer(tokenVariable: "API_TOKEN")), testContext(["API_TOKEN": "bearer-secret-1"]))
        #expect(artifacts.count == 2)

        let wrong = await #expect(throws: IngestError.self) {
            try await extractAll(extractor(server, .bearer(tokenVariable: "API_TOKEN")), testContext(["API_TOKEN": "bearer-wrong-2"]))
        }
        #expect(wrong?.message.contains("answered 401 (not authorized)") == true, "\(wrong?.description ?? "")")
        #expect(wrong?.fix == "check API_TOKEN")
        #expect(await server.count("/items") == 3, "a 401 is not retried")
    }

    @Test func basic() async throws {
        let expected = "Basic " + Data("ann:pa55-word".utf8).base64EncodedString()
        let server = try await server { $0.header("Authorization") == expected }
        defer { Task { await server.stop() } }
        let artifacts = try await extractAll(extractor(server, .basic(userVariable: "U", passwordVariable: "P")),
                                             testContext(["U": "ann", "P": "pa55-word"]))
        #expect(artifacts.count == 2)
    }

    @Test func apiKeyInAHeader() async throws {
        let server = try await server { $0.header("X-API-Key") == "key-in-header-3" }
        defer { Task { await server.stop() } }
        let artifacts = try await extractAll(extractor(server, .apiKeyHeader(name: "X-API-Key", variable: "K")), testContext(["K": "key-in-header-3"]))
        #expect(artifacts.count == 2)
    }

    @Test func apiKeyInTheQueryIsMaskedInStoredURLs() async throws {
        // A parameter name that does not look secret: the key is masked because it was read as a secret.
        let server = try await server { $0.query["k"] == "query-key-4a7c" }
        defer { Task { await server.stop() } }
        let artifacts = try await extractAll(extractor(server, .apiKeyQuery(name: "k", variable: "K")), testContext(["K": "query-key-4a7c"]))
        #expect(artifacts.count == 2)
        #expect(await server.requests.allSatisfy { $0.query["k"] == "query-key-4a7c" }, "the key is on every page, next links too")
        let stored = artifacts.map { Redactor.shared.redactURL($0.url) }
        #expect(stored == ["\(server.baseURL)/items?k=***", "\(server.baseURL)/items?page=2&k=***"])
    }

    @Test func aMissingCredentialNamesItsVariableBeforeAnyRequest() async throws {
        let server = try await server { _ in true }
        defer { Task { await server.stop() } }
        let error = await #expect(throws: IngestError.self) {
            try await extractAll(extractor(server, .basic(userVariable: "U", passwordVariable: "P")), testContext(["U": "ann"]))
        }
        #expect(error?.message.hasPrefix("P is not set") == true)
        #expect(error?.fix == "set P in the environment or in .env")
        #expect(await server.count("/items") == 0)
    }
}

/// OAuth2 client credentials against a token endpoint that mints tokens and an API that checks them.
@Suite struct OAuth2Tests {
    let fast = HTTPLimits(timeout: .seconds(60), retry: fastRetry)
    static let basicClient = "Basic " + Data("client-a:client-secret-a".utf8).base64EncodedString()

    actor Tokens {
        var minted: [String] = []
        var uses: [String: Int] = [:]
        func mint() -> String {
            minted.append("oauth-token-\(minted.count + 1)")
            return minted.last!
        }
        func use(_ token: String) -> Int {
            uses[token, default: 0] += 1
            return uses[token]!
        }
        var last: String? { minted.last }
    }

    /// `expiresIn` for each token; `accept` decides whether the API takes a (minted) token on its n-th use.
    func server(tokens: Tokens, expiresIn: Int, clientInBody: Bool = false,
                accept: @escaping @Sendable (_ token: String, _ use: Int) -> Bool = { _, _ in true }) async throws -> TestServer {
        try await TestServer.start { request, _, base in
            if request.path == "/oauth/token" {
                let form = String(decoding: request.body, as: UTF8.self)
                let clientOK = clientInBody
                    ? form.contains("client_id=client-a") && form.contains("client_secret=client-secret-a")
                    : request.header("Authorization") == Self.basicClient
                guard request.method == "POST", form.contains("grant_type=client_credentials"), form.contains("scope=read"), clientOK else {
                    return .json(#"{"error": "invalid_client"}"#, status: 401)
                }
                let token = await tokens.mint()
                return .json(#"{"access_token": "\#(token)", "token_type": "Bearer", "expires_in": \#(expiresIn)}"#)
            }
            let header = request.header("Authorization") ?? ""
            let token = String(header.dropFirst("Bearer ".count))
            guard header.hasPrefix("Bearer "), await tokens.minted.contains(token), accept(token, await tokens.use(token)) else {
                return .json(#"{"detail": "invalid token"}"#, status: 401)
            }
            let n = Int(request.query["page"] ?? "1") ?? 1
            return .json(page((n - 1) * 10, 10, extra: n < 4 ? #""next": "\#(base)/items?page=\#(n + 1)""# : #""next": null"#))
        }
    }

    func extractor(_ server: TestServer, clientInBody: Bool = false) -> RESTExtractor {
        RESTExtractor(
            baseURL: server.baseURL, path: "/items",
            auth: .oauth2(OAuth2ClientCredentials(tokenURLVariable: "TOKEN_URL", clientIdVariable: "CLIENT_ID", clientSecretVariable: "CLIENT_SECRET",
                                                  scope: "read", clientAuthentication: clientInBody ? .formBody : .basicHeader)),
            paginator: .nextURL(path: "next"), recordsPath: "results", limits: fast)
    }

    func context(_ server: TestServer, secret: String = "client-secret-a") -> ExtractionContext {
        testContext(["TOKEN_URL": server.baseURL + "/oauth/token", "CLIENT_ID": "client-a", "CLIENT_SECRET": secret])
    }

    @Test(arguments: [false, true])
    func theTokenIsFetchedOnceAndCached(_ clientInBody: Bool) async throws {
        let tokens = Tokens()
        let server = try await server(tokens: tokens, expiresIn: 3600, clientInBody: clientInBody)
        defer { Task { await server.stop() } }
        let artifacts = try await extractAll(extractor(server, clientInBody: clientInBody), context(server))
        #expect(artifacts.count == 4)
        #expect(await server.count("/oauth/token") == 1)
        #expect(await server.count("/items") == 4)
    }

    @Test func anExpiredTokenIsFetchedAgain() async throws {
        // expires_in 0: every token has expired by the next request.
        let tokens = Tokens()
        let server = try await server(tokens: tokens, expiresIn: 0)
        defer { Task { await server.stop() } }
        let artifacts = try await extractAll(extractor(server), context(server))
        #expect(artifacts.count == 4)
        #expect(await server.count("/oauth/token") == 4)
        #expect(await tokens.uses.values.allSatisfy { $0 == 1 })
    }

    @Test func a401FetchesANewTokenOnce() async throws {
        // The API revokes each token after two uses, before its announced expiry.
        let tokens = Tokens()
        let server = try await server(tokens: tokens, expiresIn: 3600) { _, use in use <= 2 }
        defer { Task { await server.stop() } }
        let artifacts = try await extractAll(extractor(server), context(server))
        #expect(artifacts.count == 4)
        #expect(await server.count("/oauth/token") == 2)
        #expect(await server.count("/items") == 5, "four pages and the one refused")
        #expect(Set(artifacts.map(\.artifactId)).count == 4, "the refused answer is not stored")
    }

    @Test func aTokenTheAPIAlwaysRefusesFailsAfterOneRefresh() async throws {
        let tokens = Tokens()
        let server = try await server(tokens: tokens, expiresIn: 3600) { _, _ in false }
        defer { Task { await server.stop() } }
        let error = await #expect(throws: IngestError.self) { try await extractAll(extractor(server), context(server)) }
        #expect(error?.message.contains("answered 401 (not authorized, also with fresh credentials)") == true, "\(error?.description ?? "")")
        #expect(error?.fix == "check CLIENT_ID and CLIENT_SECRET")
        #expect(await server.count("/oauth/token") == 2)
        #expect(await server.count("/items") == 2)
    }

    @Test func aWrongClientSecretFailsAtTheTokenEndpoint() async throws {
        let tokens = Tokens()
        let server = try await server(tokens: tokens, expiresIn: 3600)
        defer { Task { await server.stop() } }
        let error = await #expect(throws: IngestError.self) {
            try await extractAll(extractor(server), context(server, secret: "wrong-secret-b"))
        }
        #expect(error?.message.contains("POST \(server.baseURL)/oauth/token answered 401") == true, "\(error?.description ?? "")")
        #expect(error?.fix?.contains("CLIENT_SECRET") == true)
        #expect(!(error?.description.contains("wrong-secret-b") ?? true))
        #expect(await server.count("/items") == 0)
    }
}
