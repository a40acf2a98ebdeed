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
