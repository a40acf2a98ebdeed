import Foundation
import IngestCommon

/// Limits and resilience of a declarative source's requests.
public struct HTTPLimits: Sendable {
    /// The most one request may take, body included.
    public var timeout: Duration
    /// The largest response accepted; a larger one fails the run.
    public var maxResponseBytes: Int
    public var retry: RetryPolicy
    /// Requests started per second against this API (all datasets of the source together); nil: no limit.
    public var requestsPerSecond: Double?
    /// Requests in flight at once against this API; nil: no limit.
    public var maxConcurrentRequests: Int?

    public init(timeout: Duration = .seconds(30), maxResponseBytes: Int = 256 << 20, retry: RetryPolicy = .default,
                requestsPerSecond: Double? = nil, maxConcurrentRequests: Int? = nil) {
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.retry = retry
        self.requestsPerSecond = requestsPerSecond
        self.maxConcurrentRequests = maxConcurrentRequests
    }
}

/// A declarative REST extractor: a dataset's extractor that is only configuration.
///
/// ```swift
/// RESTExtractor(baseURLVariable: "X_BASE_URL", path: "/v1/items",
///               auth: .bearer(tokenVariable: "X_TOKEN"),
///               paginator: .nextURL(path: "next"), recordsPath: "results")
/// ```
///
/// Each page is stored in bronze as it arrives, as an `api_json` artifact
/// `page_00001`, `page_00002`, …, with its URL (secrets masked). A request
/// that fails for good fails the run before its page is stored, and the run
/// writes no manifest, so nothing of it can be loaded.
public struct RESTExtractor: Extractor {
    public var baseURL: String?
    public var baseURLVariable: String?
    public var path: String
    /// Fixed query parameters (sent in name order).
    public var query: [String: String]
    /// Fixed request headers (sent in name order).
    public var headers: [String: String]
    public var auth: HTTPAuth
    public var paginator: Paginator
    /// Where a page's records are (`results`, `data.items[*]`); nil: the body is the array of records.
    public var recordsPath: String?
    public var stop: PageStop
    public var incremental: IncrementalWindow?
    public var limits: HTTPLimits
    /// Artifact ids are `<prefix>_00001`, …
    public var artifactPrefix: String

    /// Give the base URL as `baseURL`, or as `baseURLVariable` naming the variable that holds it.
    public init(baseURL: String? = nil, baseURLVariable: String? = nil, path: String = "", query: [String: String] = [:],
                headers: [String: String] = [:], auth: HTTPAuth = .none, paginator: Paginator = .single,
                recordsPath: String? = nil, stop: PageStop = PageStop(), incremental: IncrementalWindow? = nil,
                limits: HTTPLimits = HTTPLimits(), artifactPrefix: String = "page") {
        self.baseURL = baseURL
        self.baseURLVariable = baseURLVariable
        self.path = path
        self.query = query
        self.headers = headers
        self.auth = auth
        self.paginator = paginator
        self.recordsPath = recordsPath
        self.stop = stop
        self.incremental = incremental
        self.limits = limits
        self.artifactPrefix = artifactPrefix
    }

    /// The configured base URL, without a trailing slash.
    public func resolvedBaseURL(_ settings: Settings) throws -> String {
        var base = try settings.given(baseURL, orVariable: baseURLVariable, purpose: "the base URL of the source's API",
                                      owner: "RESTExtractor", parameter: "baseURL")
        while base.hasSuffix("/") { base.removeLast() }
        guard let parts = URLComponents(string: base), parts.scheme == "http" || parts.scheme == "https", parts.host != nil else {
            throw IngestError("the base URL \(Redactor.shared.redactURL(base)) is not an http(s) URL",
                              fix: baseURLVariable.map { "set \($0) to a URL like https://api.example.com" } ?? "give a URL like https://api.example.com")
        }
        return base
    }

    /// The first page's URL for this run: base, path, fixed query, incremental window, first page parameters.
    public func firstURL(_ context: ExtractionContext) throws -> String {
        let base = try resolvedBaseURL(context.settings)
        let joined = path.isEmpty ? base : base + (path.hasPrefix("/") ? path : "/" + path)
        var items = query.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        items += try incremental?.queryItems(context) ?? []
        items += paginator.firstPageQuery
        return URLText.setting(items, in: joined)
    }

    public func extract(_ context: ExtractionContext, into sink: ArtifactSink) async throws {
        let first = try firstURL(context)
        let limiter = limits.requestsPerSecond != nil || limits.maxConcurrentRequests != nil
            ? RequestLimiter.shared(try resolvedBaseURL(context.settings), maxConcurrent: limits.maxConcurrentRequests,
                                    requestsPerSecond: limits.requestsPerSecond)
            : nil
        let fetcher = HTTPFetcher(client: context.http.client, timeout: limits.timeout, maxResponseBytes: limits.maxResponseBytes,
                                  retry: limits.retry, limiter: limiter, logger: context.logger)
        let authorizer = try auth.authorizer(settings: context.settings, fetcher: fetcher)
        let records = try recordsPath.map(JSONPath.init)
        let total = try stop.totalPath.map(JSONPath.init)
        let fixed = headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } + [("Accept", "application/json")]

        var url: String? = first
        var seen: Set<String> = []
        var pageIndex = 0
        var recordsRead = 0
        while let current = url {
            guard seen.insert(current).inserted else {
                throw IngestError("the API pointed at the page \(Redactor.shared.redactURL(current)) a second time",
                                  fix: "check the paginator: the API's next page does not advance")
            }
            let response = try await fetcher.send(
                prepare: { try await authorizer.apply(to: HTTPRequest(url: current, headers: fixed), fetcher: fetcher) },
                reauthorize: { await authorizer.reauthorize() }, unauthorizedFix: authorizer.fix)
            let requested = authorizer.url(current)
            try await sink.store(RawArtifact(
                artifactId: "\(artifactPrefix)_" + String(format: "%05d", pageIndex + 1), bytes: response.body, url: requested,
                contentType: response.header("Content-Type") ?? "application/json", extractionMethod: .apiJSON))

            let needsJSON = records != nil || total != nil || paginator.readsBody || stop.emptyPage
            var json: Any?
            if needsJSON { json = try? JSONSerialization.jsonObject(with: response.body, options: [.fragmentsAllowed]) }
            if needsJSON && json == nil && (records != nil || paginator.readsBody) {
                throw IngestError("the page at \(Redactor.shared.redactURL(current)) is not JSON",
                                  fix: "check that the base URL and path point at the API")
            }
            var count: Int?
            if let json {
                if let records {
                    guard let found = records.records(in: json) else {
                        throw IngestError("the page at \(Redactor.shared.redactURL(current)) has nothing at the records path \"\(records)\"",
                                          fix: "check the dataset's recordsPath against a page of the API")
                    }
                    count = found.count
                } else if let array = json as? [Any] {
                    count = array.count
                }
            }
            recordsRead += count ?? 0
            pageIndex += 1

            if stop.emptyPage, count == 0 { break }
            if let total, let json, let expected = total.string(in: json).flatMap { Int($0) }, count != nil, recordsRead >= expected { break }
            url = try paginator.next(after: response, json: json, pageIndex: pageIndex - 1, records: count)
            if url != nil, pageIndex >= stop.maxPages {
                if stop.failAtMaxPages {
                    throw IngestError("\(Redactor.shared.redactURL(first)) has more than \(stop.maxPages) pages",
                                      fix: "check that the API's pages end, or raise the dataset's maxPages")
                }
                context.say("stopped after \(stop.maxPages) pages of \(Redactor.shared.redactURL(first)) (the dataset's maxPages); more remain")
                break
            }
        }
        context.logger.debug("extracted \(pageIndex) page(s), \(recordsRead) record(s) from \(Redactor.shared.redactURL(first))")
    }
}
