import AsyncHTTPClient

extension HTTPClient {
    /// The HTTP client IngestKit uses by default (APIs and S3 bronze). Unlike `HTTPClient.shared`
    /// it does not retry a refused connection until the request's deadline: a failed connection
    /// comes back at once and the caller's `RetryPolicy` decides, so an unreachable host fails in seconds.
    ///
    /// It decodes gzip and deflate response bodies (bronze stores the decoded bytes; `HTTPFetcher` bounds
    /// their size) and does not follow redirects itself: `HTTPFetcher.send` follows them, deciding which
    /// credentials may go to the new origin.
    public static let ingest: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.decompression = .enabled(limit: .none)
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
