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
/// `page_00001`, `page_00002`, …, with its URL (secrets masked); gzip and
/// deflate bodies are stored decoded. A request that fails for good fails the
/// run before its page is stored, and the run writes no manifest, so nothing
/// of it can be loaded. Pages are read with the SDK's JSON reader (`JSONTree`),
/// the one the parsers use; a page it refuses fails the run saying why.
/// Pagination stops by `PageStop` (the reason is the report's `stop_reason`).
/// With `.offset` or `.pageNumber(size:)` paging, a `PageStop.totalPath` and
/// `HTTPLimits.maxConcurrentRequests` above 1, the pages after the first are
/// fetched up to that many at once and still stored in page order (`PagePrefetch`);
/// credentials go only to the base URL's origin (`CrossOriginCredentials`).
///
/// A page that answers 2xx with an error in its body (a top-level `error` or `errors` member, or the
/// `errorPath`) is a failed request: retried like a 5xx, then the run fails naming the page and the
/// message. A run that read fewer records than the API's total, or whose last page still names a next
/// page that the paginator did not follow, fails its extract (`PageStop`, `PageCompleteness`). Each
/// artifact's URL is the one that answered, after same-origin redirects.
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
    /// A `next` link or redirect to another origin than the base URL's: fail (default) or follow without credentials.
    public var crossOriginCredentials: CrossOriginCredentials
    /// Where a page that answered 2xx says the request failed (a JSON path such as `meta.error`); nil (the
    /// default): a top-level `error` or `errors` member; "": pages are not read for errors. A member that is
    /// null, false, 0 or empty is no error.
    public var errorPath: String?

    /// Give the base URL as `baseURL`, or as `baseURLVariable` naming the variable that holds it.
    public init(baseURL: String? = nil, baseURLVariable: String? = nil, path: String = "", query: [String: String] = [:],
                headers: [String: String] = [:], auth: HTTPAuth = .none, paginator: Paginator = .single,
                recordsPath: String? = nil, stop: PageStop = PageStop(), incremental: IncrementalWindow? = nil,
                limits: HTTPLimits = HTTPLimits(), artifactPrefix: String = "page",
                crossOriginCredentials: CrossOriginCredentials = .fail, errorPath: String? = nil) {
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
        self.crossOriginCredentials = crossOriginCredentials
        self.errorPath = errorPath
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
        let base = try resolvedBaseURL(context.settings)
        let limiter = limits.requestsPerSecond != nil || limits.maxConcurrentRequests != nil
            ? RequestLimiter.shared(base, maxConcurrent: limits.maxConcurrentRequests, requestsPerSecond: limits.requestsPerSecond)
            : nil
        let fetcher = HTTPFetcher(client: context.http.client, timeout: limits.timeout, maxResponseBytes: limits.maxResponseBytes,
                                  retry: limits.retry, limiter: limiter, logger: context.logger)
        let authorizer = try auth.authorizer(settings: context.settings, fetcher: fetcher)
        let records = try recordsPath.map(JSONPath.init)
        let completeness = try PageCompleteness(stop: stop)
        let total = completeness.declaredTotal
        let pageError = try PageError(errorPath: errorPath)
        var fixed = headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        for (name, value) in [("Accept", "application/json"), ("Accept-Encoding", "gzip, deflate")]
            where !fixed.contains(where: { $0.0.lowercased() == name.lowercased() }) {
            fixed.append((name, value))
        }
        let gate = CredentialGate(apiOrigin: URLOrigin(base), authorizer: authorizer, policy: crossOriginCredentials)
        let headersToSend = fixed

        var url: String? = first
        var seen: Set<String> = [first]
        var pageIndex = 0
        var recordsRead = 0
        var emptyInARow = 0
        // For the completeness checks: whether every page's records were counted, the API's latest total,
        // why paging stopped, and whether maxPages cut it short (the dataset allows that).
        var everyPageCounted = true
        var latestTotal: (path: String, value: Int)?
        var stopReason: String?
        var stoppedAtMaxPages = false
        var lastURL = first
        func stopped(_ reason: String) {
            stopReason = reason
            RunNotes.stopped(reason)
            context.logger.debug("pagination of \(Redactor.shared.redactURL(first)) stopped: \(reason)")
        }
        var validate: (@Sendable (HTTPFetcher.Response) throws -> Void)?
        if let pageError { validate = { response in try pageError.check(response) } }
        let get: PagePrefetch.Fetch = { [validate] current in
            try await fetcher.send(
                prepare: { try await gate.request(HTTPRequest(url: current, headers: headersToSend), reaching: "the next page link", fetcher: fetcher) },
                reauthorize: { await authorizer.reauthorize() }, unauthorizedFix: authorizer.fix,
                redirected: { target, from in
                    var request = from
                    request.url = target
                    request.headers = headersToSend
                    return try await gate.request(request, reaching: "an HTTP redirect from \(Redactor.shared.redactURL(from.url))", fetcher: fetcher)
                },
                validate: validate)
        }
        // With a known total and a concurrency limit above 1, later pages are fetched ahead (stored in order).
        var prefetch: PagePrefetch?
        defer { prefetch?.cancelAll() }
        while let current = url {
            let response: HTTPFetcher.Response
            if let prefetched = try await prefetch?.take(current) {
                response = prefetched
            } else {
                response = try await get(current)
            }
            let artifactId = "\(artifactPrefix)_" + String(format: "%05d", pageIndex + 1)
            try await sink.store(RawArtifact(
                artifactId: artifactId, bytes: response.body, url: gate.sentURL(response.url),
                contentType: response.header("Content-Type") ?? "application/json", extractionMethod: .apiJSON))
            pageIndex += 1
            lastURL = response.url

            let needsJSON = records != nil || completeness.readsBody || paginator.readsBody || stop.emptyPage
            var json: JSONTree?
            if needsJSON {
                do {
                    json = try RunNotes.$subject.withValue("artifact \(artifactId)") { try JSONTree.parse(response.body) }
                } catch let error as JSONSyntaxError {
                    if records != nil || paginator.readsBody {
                        throw IngestError("page \(pageIndex) (artifact \(artifactId)) at \(Redactor.shared.redactURL(current)) is \(error.summary)",
                                          fix: Self.fix(for: error.kind, artifactId: artifactId))
                    }
                }
            }
            var count: Int?
            if let json {
                if let records {
                    guard let found = records.records(in: json) else {
                        throw IngestError("page \(pageIndex) (artifact \(artifactId)) at \(Redactor.shared.redactURL(current)) has nothing at the records path \"\(records)\"",
                                          fix: "check the dataset's recordsPath against a page of the API")
                    }
                    count = found.count
                } else if let array = json.array {
                    count = array.count
                }
            }
            recordsRead += count ?? 0
            if count == nil { everyPageCounted = false }
            latestTotal = completeness.total(in: json) ?? latestTotal
            emptyInARow = count == 0 ? emptyInARow + 1 : 0
            if context.firstArtifactOnly {
                stopped("only the first page was asked for (a sample)")
                break
            }

            if stop.emptyPage, count == 0 {
                stopped("page \(pageIndex) had no records")
                break
            }
            let expectedTotal = total.flatMap { path in json.flatMap { path.string(in: $0) } }.flatMap { Int($0) }
            if let total, let expected = expectedTotal, count != nil, recordsRead >= expected {
                stopped("the API's total of \(expected) record(s) at \"\(total)\" was reached after \(pageIndex) page(s)")
                RunNotes.declaredTotal(expected)
                break
            }
            if pageIndex == 1, let expected = expectedTotal, let window = limits.maxConcurrentRequests, window > 1,
               let planned = paginator.plannedURLs(after: response, total: expected, maxPages: stop.maxPages) {
                prefetch = PagePrefetch(urls: planned, window: window, fetch: get)
            }
            switch try paginator.next(after: response, json: json, pageIndex: pageIndex - 1, records: count) {
            case .end(let reason):
                stopped(reason)
                if count != 0 {   // an empty last page ends paging whatever links it carries: no progress
                    try completeness.checkNoNextPage(after: response, json: json, pageIndex: pageIndex, ended: reason,
                                                     recordsRead: everyPageCounted ? recordsRead : nil, total: latestTotal)
                }
                url = nil
            case .next(let next):
                if emptyInARow >= stop.maxEmptyPages {
                    let reason = "\(emptyInARow) pages in a row had no records although the API still gave a next page: it makes no progress"
                    context.say("stopped reading \(Redactor.shared.redactURL(first)) after \(pageIndex) page(s): \(reason)")
                    stopped(reason)
                    url = nil
                    break
                }
                guard seen.insert(next).inserted else {
                    let reason = "\(paginator.repeatedThing) pointed at the page \(Redactor.shared.redactURL(next)) a second time"
                    stopped(reason)
                    throw IngestError("the API pointed at the page \(Redactor.shared.redactURL(next)) a second time (after page \(pageIndex); \(paginator.repeatedThing) repeats)",
                                      fix: "check the paginator: the API's next page does not advance")
                }
                if pageIndex >= stop.maxPages {
                    stopped("the dataset's maxPages (\(stop.maxPages)) was reached with more pages left")
                    stoppedAtMaxPages = true
                    if stop.failAtMaxPages {
                        throw IngestError("\(Redactor.shared.redactURL(first)) has more than \(stop.maxPages) pages",
                                          fix: "check that the API's pages end, or raise the dataset's maxPages")
                    }
                    context.say("stopped after \(stop.maxPages) pages of \(Redactor.shared.redactURL(first)) (the dataset's maxPages); more remain")
                    url = nil
                    break
                }
                url = next
            }
        }
        if everyPageCounted, !stoppedAtMaxPages, !context.firstArtifactOnly {
            try completeness.checkTotal(latestTotal, recordsRead: recordsRead, pages: pageIndex, lastURL: lastURL, stopReason: stopReason)
        }
        context.logger.debug("extracted \(pageIndex) page(s), \(recordsRead) record(s) from \(Redactor.shared.redactURL(first))")
    }

    /// What to do about a page the JSON reader refuses, by kind.
    static func fix(for kind: JSONSyntaxError.Kind, artifactId: String) -> String {
        let kept = "bronze keeps the page as artifact \(artifactId)"
        switch kind {
        case .notJSON: return "check that the base URL and path point at the API (\(kept))"
        case .truncated: return "the body was cut off; run again, and if it persists check the API (\(kept))"
        case .invalidUTF8: return "the API sent text that is not UTF-8; ask for UTF-8 (e.g. an Accept-Charset header) or fix the API (\(kept))"
        case .tooDeep: return "the page nests arrays or objects deeper than \(JSONSyntaxError.maximumDepth) levels; check the API (\(kept))"
        case .malformed: return "the API sent broken JSON; check the API (\(kept))"
        }
    }
}

/// Puts the source's credentials only on requests to the API's origin; a request to another origin
/// gets none, or fails, by the source's `CrossOriginCredentials`.
struct CredentialGate: Sendable {
    var apiOrigin: URLOrigin?
    var authorizer: Authorizer
    var policy: CrossOriginCredentials

    func sameOrigin(_ url: String) -> Bool { URLOrigin(url) == apiOrigin }

    /// The request with credentials when it goes to the API's origin; else without them, or an error naming both origins.
    func request(_ request: HTTPRequest, reaching how: String, fetcher: HTTPFetcher) async throws -> HTTPRequest {
        if sameOrigin(request.url) || !authorizer.hasCredentials {
            return sameOrigin(request.url) ? try await authorizer.apply(to: request, fetcher: fetcher) : request
        }
        let target = URLOrigin(request.url)?.description ?? Redactor.shared.redactURL(request.url)
        let own = apiOrigin?.description ?? "the base URL's origin"
        switch policy {
        case .fail:
            throw IngestError("\(how) leads to \(target), another origin than the API's \(own); the source's credentials go only to \(own)",
                              fix: "if \(target) is meant to be read, declare crossOriginCredentials: .drop on the dataset's RESTExtractor to follow it without credentials; else check the paginator and the base URL")
        case .drop:
            RunNotes.notice("\(how) leads to \(target), another origin than the API's \(own): followed without the source's credentials")
            var stripped = request
            stripped.url = authorizer.withoutCredentials(request.url)
            return stripped
        }
    }

    /// The URL as it was sent, for bronze (a query key masked there): with the key only on the API's origin.
    func sentURL(_ url: String) -> String {
        sameOrigin(url) ? authorizer.url(url) : authorizer.withoutCredentials(url)
    }
}
