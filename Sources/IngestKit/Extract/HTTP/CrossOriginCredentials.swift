/// What a declarative source does when a `next` link or an HTTP redirect leads to
/// another origin (another scheme, host or port) than its base URL.
///
/// The source's credentials (the auth header, an API key in a header or in the
/// query, an OAuth2 token) are only ever sent to the base URL's origin. A source
/// without credentials follows any origin.
public enum CrossOriginCredentials: Sendable, Hashable {
    /// Fail the run with a message naming both origins (the default): nothing is sent there.
    case fail
    /// Follow the link or redirect without the credentials (an API key in the query is taken out of the URL).
    case drop
}
