import Foundation
import IngestCommon

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
