import Foundation
import IngestCommon

/// How a declarative source walks an API's pages.
public enum Paginator: Sendable {
    /// One request, no pages.
    case single
    /// `?page=1`, `?page=2`, … from `start`. `size` is the page size: sent as `sizeParameter` when that is
    /// given, and either way a page with fewer records than `size` is the last (no request for an empty page).
    /// Without `size`, paging ends at an empty page (`PageStop.emptyPage`).
    case pageNumber(parameter: String = "page", start: Int = 1, sizeParameter: String? = nil, size: Int? = nil)
    /// `?offset=0&limit=100`, `?offset=100&limit=100`, …; a page with fewer records than `limit` is the
    /// last (no request for an empty page). Socrata: `.offset(offsetParameter: "$offset", limitParameter: "$limit", limit: 1000)`.
    case offset(offsetParameter: String = "offset", limitParameter: String = "limit", limit: Int = 100)
    /// The next page's cursor at a JSON path in the body (e.g. `meta.next_cursor`), sent as `parameter`; null or empty ends.
    case cursor(path: String, parameter: String = "cursor")
    /// The next page's URL at a JSON path in the body (e.g. `next`, `links.next`); null or empty ends.
    case nextURL(path: String)
    /// The next page's URL in the `Link: <…>; rel="next"` header; no such link ends.
    case linkHeader
}

/// When a paginated extract stops, besides the paginator's own end (a short page for `.offset` and
/// `.pageNumber` with a size, no next cursor or link for the others).
///
/// Pagination that makes no progress always ends promptly, whatever the paginator:
/// at an empty page (`emptyPage`), after `maxEmptyPages` empty pages in a row when
/// empty pages do not end it, once the total at `totalPath` is reached, and at a
/// page URL or cursor that repeats (that one fails the run: the API loops, so pages
/// may be missing). The reason it stopped is the run report's `stop_reason`.
/// A page's record count is known when the dataset has a `recordsPath` or the body is a JSON array.
///
/// No quiet partial loads (`PageCompleteness`): a run that read fewer records than the API's total (at
/// `totalPath`, or at a well-known place such as `meta.total` or `count` when none is declared) fails its
/// extract naming both figures, and so does a run whose last page still names a next page (`next`,
/// `links.next`, a `Link` header, …) that the paginator did not follow.
public struct PageStop: Sendable {
    /// Stop at a page with no records (needs a records path, or a body that is an array).
    public var emptyPage: Bool
    /// When `emptyPage` is false: stop after this many pages in a row had no records although the API
    /// still gave a next page (it makes no progress).
    public var maxEmptyPages: Int
    /// A JSON path to the total number of records (e.g. `count`, `meta.total`): stop once that many were read.
    public var totalPath: String?
    /// The most pages one run reads.
    public var maxPages: Int
    /// At `maxPages` with more pages left: fail the run (true) or stop with a note (false).
    public var failAtMaxPages: Bool
    /// Fewer records read than the API's total: fail the extract (false, the default), or load what arrived
    /// with a notice, the report's `total_not_reached` and the gate's `SuccessGate.failOnShortTotal` deciding
    /// (true: for an API whose total may count more than its pages hold, or change while paging).
    public var allowShortTotal: Bool
    /// Whether the well-known places are checked when the dataset declares nothing there: a total at `meta.total`,
    /// `total_count`, `totalCount` or `count` (when `totalPath` is nil), and a next page still named on the last page
    /// at `next`, `links.next`, `paging.next`, `next_page_url`, `_links.next.href`, `@odata.nextLink`,
    /// `meta.next_cursor`, `next_cursor` or in a `Link` header that the paginator did not follow. False: those
    /// members mean something else in this API (opt out).
    public var checksWellKnownPlaces: Bool

    public init(emptyPage: Bool = true, maxEmptyPages: Int = 3, totalPath: String? = nil, maxPages: Int = 10_000,
                failAtMaxPages: Bool = false, allowShortTotal: Bool = false, checksWellKnownPlaces: Bool = true) {
        self.emptyPage = emptyPage
        self.maxEmptyPages = max(1, maxEmptyPages)
        self.totalPath = totalPath
        self.maxPages = maxPages
        self.failAtMaxPages = failAtMaxPages
        self.allowShortTotal = allowShortTotal
        self.checksWellKnownPlaces = checksWellKnownPlaces
    }
}

/// What a paginator makes of a page: the next page's URL, or why there is none.
enum PageStep: Equatable {
    case next(String)
    case end(String)
}

extension Paginator {
    /// The query parameters of the first page.
    var firstPageQuery: [(String, String)] {
        switch self {
        case .pageNumber(let parameter, let start, let sizeParameter, let size):
            var items = [(parameter, String(start))]
            if let sizeParameter, let size { items.append((sizeParameter, String(size))) }
            return items
        case .offset(let offsetParameter, let limitParameter, let limit):
            return [(offsetParameter, "0"), (limitParameter, String(limit))]
        case .single, .cursor, .nextURL, .linkHeader:
            return []
        }
    }

    /// The URL of the page after `page`, or why `page` was the last.
    /// `pageIndex` counts from 0; `records` is the page's record count when known.
    func next(after page: HTTPFetcher.Response, json: JSONTree?, pageIndex: Int, records: Int?) throws -> PageStep {
        switch self {
        case .single:
            return .end("one request (the dataset has no paginator)")
        case .pageNumber(let parameter, let start, _, let size):
            if let size, let records, records < size {
                return .end("page \(pageIndex + 1) had \(records) record(s), fewer than the page size \(size)")
            }
            return .next(URLText.setting([(parameter, String(start + pageIndex + 1))], in: page.url))
        case .offset(let offsetParameter, _, let limit):
            if let records, records < limit {
                return .end("page \(pageIndex + 1) had \(records) record(s), fewer than the limit \(limit)")
            }
            let current = URLComponents(string: page.url)?.queryItems?.first { $0.name == offsetParameter }?.value.flatMap { Int($0) } ?? 0
            return .next(URLText.setting([(offsetParameter, String(current + (records ?? limit)))], in: page.url))
        case .cursor(let path, let parameter):
            guard let json, let cursor = try JSONPath(path).string(in: json), !cursor.isEmpty else {
                return .end("page \(pageIndex + 1) had no cursor at \"\(path)\" (the last page)")
            }
            return .next(URLText.setting([(parameter, cursor)], in: page.url))
        case .nextURL(let path):
            guard let json, let link = try JSONPath(path).string(in: json), !link.isEmpty else {
                return .end("page \(pageIndex + 1) had no next link at \"\(path)\" (the last page)")
            }
            return .next(URLText.resolve(link, against: page.url))
        case .linkHeader:
            guard let header = page.header("Link"), let link = Self.nextLink(in: header) else {
                return .end("page \(pageIndex + 1) had no Link header with rel=\"next\" (the last page)")
            }
            return .next(URLText.resolve(link, against: page.url))
        }
    }

    /// The URLs of the pages after `first` when they are known in advance: offset and page-number paging
    /// with a page size, given the API's `total` record count; at most `maxPages` pages in all. Nil for
    /// the other paginators, or when the first page is the only one.
    func plannedURLs(after first: HTTPFetcher.Response, total: Int, maxPages: Int) -> [String]? {
        let pageSize: Int, pageParameter: String, value: (Int) -> Int
        switch self {
        case .offset(let offsetParameter, _, let limit):
            let firstOffset = URLComponents(string: first.url)?.queryItems?.first { $0.name == offsetParameter }?.value.flatMap { Int($0) } ?? 0
            (pageSize, pageParameter, value) = (limit, offsetParameter, { firstOffset + $0 * limit })
        case .pageNumber(let parameter, let start, _, let size?):
            (pageSize, pageParameter, value) = (size, parameter, { start + $0 })
        default:
            return nil
        }
        guard pageSize > 0 else { return nil }
        let pages = min((total + pageSize - 1) / pageSize, maxPages)
        guard pages > 1 else { return nil }
        return (1..<pages).map { URLText.setting([(pageParameter, String(value($0)))], in: first.url) }
    }

    /// What repeats when a page URL comes a second time, in the paginator's terms.
    var repeatedThing: String {
        switch self {
        case .cursor(let path, _): return "the cursor at \"\(path)\""
        case .nextURL(let path): return "the next link at \"\(path)\""
        case .linkHeader: return "the Link header's next page"
        default: return "the next page"
        }
    }

    /// The `rel="next"` target of a `Link` header (RFC 8288).
    static func nextLink(in header: String) -> String? {
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = pieces.first, target.hasPrefix("<"), target.hasSuffix(">") else { continue }
            let isNext = pieces.dropFirst().contains { piece in
                let lower = piece.lowercased().replacingOccurrences(of: " ", with: "")
                guard lower.hasPrefix("rel=") else { return false }
                let rels = lower.dropFirst(4).trimmingCharacters(in: CharacterSet(charactersIn: "\"")).split(separator: " ")
                return rels.contains("next")
            }
            if isNext { return String(target.dropFirst().dropLast()) }
        }
        return nil
    }

    /// Whether the paginator needs the body as JSON to find the next page.
    var readsBody: Bool {
        switch self {
        case .cursor, .nextURL: return true
        default: return false
        }
    }
}
