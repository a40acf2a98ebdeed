import Foundation
import IngestCommon

/// OAuth2 client credentials grant (RFC 6749 §4.4) as a source declares it.
public struct OAuth2ClientCredentials: Sendable {
    /// How the client id and secret reach the token endpoint.
    public enum ClientAuthentication: Sendable {
        /// HTTP Basic (`client_secret_basic`, the default).
        case basicHeader
        /// In the form body (`client_secret_post`).
        case formBody
    }

    public var tokenURL: String?
    public var tokenURLVariable: String?
    public var clientIdVariable: String
    public var clientSecretVariable: String
    public var scope: String?
    public var clientAuthentication: ClientAuthentication

    /// Give the token endpoint as `tokenURL`, or as `tokenURLVariable` naming the variable that holds it.
    public init(tokenURL: String? = nil, tokenURLVariable: String? = nil, clientIdVariable: String, clientSecretVariable: String,
                scope: String? = nil, clientAuthentication: ClientAuthentication = .basicHeader) {
        self.tokenURL = tokenURL
        self.tokenURLVariable = tokenURLVariable
        self.clientIdVariable = clientIdVariable
        self.clientSecretVariable = clientSecretVariable
        self.scope = scope
        self.clientAuthentication = clientAuthentication
    }

    func session(settings: Settings, fetcher: HTTPFetcher) throws -> OAuth2Session {
        let url = try settings.given(tokenURL, orVariable: tokenURLVariable, purpose: "the OAuth2 token endpoint",
                                     owner: "OAuth2ClientCredentials", parameter: "tokenURL")
        return OAuth2Session(tokenURL: url, clientId: try settings.requiredSecret(clientIdVariable, purpose: "OAuth2 client credentials"),
                             clientSecret: try settings.requiredSecret(clientSecretVariable, purpose: "OAuth2 client credentials"),
                             scope: scope, clientAuthentication: clientAuthentication,
                             fix: "check \(clientIdVariable), \(clientSecretVariable) and the token endpoint")
    }
}

/// The cached access token of one extract: fetched on first use, again when it
/// expires (a little early) or after `invalidate()`.
actor OAuth2Session {
    let tokenURL: String
    let clientId: String
    let clientSecret: String
    let scope: String?
    let clientAuthentication: OAuth2ClientCredentials.ClientAuthentication
    let fix: String
    private var token: String?
    private var expires: ContinuousClock.Instant?
    private var pending: Task<(String, ContinuousClock.Instant?), any Error>?
    /// How many tokens were fetched (for tests and logs).
    private(set) var fetches = 0

    init(tokenURL: String, clientId: String, clientSecret: String, scope: String?,
         clientAuthentication: OAuth2ClientCredentials.ClientAuthentication, fix: String) {
        self.tokenURL = tokenURL
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.scope = scope
        self.clientAuthentication = clientAuthentication
        self.fix = fix
    }

    func token(fetcher: HTTPFetcher) async throws -> String {
        if let token, let expires, ContinuousClock.now < expires { return token }
        if let token, expires == nil { return token }
        if let pending { return try await pending.value.0 }  // one fetch for concurrent callers
        let task = Task { try await self.fetch(fetcher: fetcher) }
        pending = task
        defer { pending = nil }
        let (fresh, expiry) = try await task.value
        token = fresh
        expires = expiry
        return fresh
    }

    func invalidate() {
        token = nil
        expires = nil
    }

    private func fetch(fetcher: HTTPFetcher) async throws -> (String, ContinuousClock.Instant?) {
        fetches += 1
        var form = [("grant_type", "client_credentials")]
        if let scope { form.append(("scope", scope)) }
        var headers = [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")]
        switch clientAuthentication {
        case .basicHeader:
            let basic = Data("\(URLText.encode(clientId)):\(URLText.encode(clientSecret))".utf8).base64EncodedString()
            Redactor.shared.register(basic)
            headers.append(("Authorization", "Basic \(basic)"))
        case .formBody:
            form += [("client_id", clientId), ("client_secret", clientSecret)]
        }
        let body = form.map { "\(URLText.encode($0.0))=\(URLText.encode($0.1))" }.joined(separator: "&")
        let request = HTTPRequest(method: "POST", url: tokenURL, headers: headers, body: Data(body.utf8))
        let response = try await fetcher.send(prepare: { request }, unauthorizedFix: fix)
        struct Answer: Decodable {
            var access_token: String
            var expires_in: Double?
        }
        guard let answer = try? IngestJSONDecoder().decode(Answer.self, from: response.body), !answer.access_token.isEmpty else {
            throw IngestError("the OAuth2 token endpoint \(Redactor.shared.redactURL(tokenURL)) answered without an access_token",
                              fix: "check the token URL")
        }
        Redactor.shared.register(answer.access_token)
        // Renew a little before the server's expiry: 10 % of the lifetime, at most 30 s.
        let expiry = answer.expires_in.map { seconds -> ContinuousClock.Instant in
            let margin = min(30, seconds / 10)
            return ContinuousClock.now + .milliseconds(Int(max(0, seconds - margin) * 1000))
        }
        return (answer.access_token, expiry)
    }
}
