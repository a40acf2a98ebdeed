import Foundation
import IngestCommon

/// Whether a paged extract read all that the API said it holds: no quiet partial loads.
///
/// Two checks, one mechanism for declared and undeclared places:
/// - **total**: the API's total record count, at the dataset's `PageStop.totalPath` or, when it declares
///   none, at a well-known place (`meta.total`, `total_count`, `totalCount`, `count`), read from the
///   last page that has one. Fewer records read than that total fails the extract naming both (with
///   `PageStop.allowShortTotal`: a notice, the report's `total_not_reached`, and the gate's `failOnShortTotal`).
/// - **next page**: when the paginator ends (`.single` always does after one page), a next link or cursor
///   still on the last page at a well-known place (`next`, `links.next`, `paging.next`, `next_page_url`,
///   `_links.next.href`, `@odata.nextLink`, `meta.next_cursor`, `next_cursor`) or in a `Link: rel="next"`
///   header fails the extract naming the place and the paginator to declare (an empty last page ends
///   paging whatever links it carries: no progress).
///
/// Neither check runs when the records of a page cannot be counted (no `recordsPath` and a body that is
/// not an array), after `maxPages` stopped a run that allows it, or for a sample (`doctor`);
/// `PageStop.checksWellKnownPlaces: false` turns off both checks at the well-known places.
struct PageCompleteness {
    static let wellKnownTotals = ["meta.total", "total_count", "totalCount", "count"]
    /// Where APIs put the next page, and the paginator that follows it.
    static let wellKnownNextPages: [(path: String, paginator: String)] = [
        ("next", #".nextURL(path: "next")"#),
        ("links.next", #".nextURL(path: "links.next")"#),
        ("links.next.href", #".nextURL(path: "links.next.href")"#),
        ("paging.next", #".nextURL(path: "paging.next")"#),
        ("next_page_url", #".nextURL(path: "next_page_url")"#),
        ("_links.next.href", #".nextURL(path: "_links.next.href")"#),
        (#"["@odata.nextLink"]"#, #".nextURL(path: "[\"@odata.nextLink\"]")"#),
        ("meta.next_cursor", #".cursor(path: "meta.next_cursor", parameter: <the API's cursor parameter>)"#),
        ("next_cursor", #".cursor(path: "next_cursor", parameter: <the API's cursor parameter>)"#),
    ]

    let stop: PageStop
    /// The declared total's path, parsed.
    let declaredTotal: JSONPath?
    private let totals: [JSONPath]
    private let nextPages: [(path: JSONPath, paginator: String)]

    init(stop: PageStop) throws {
        self.stop = stop
        declaredTotal = try stop.totalPath.map(JSONPath.init)
        totals = try declaredTotal.map { [$0] } ?? (stop.checksWellKnownPlaces ? Self.wellKnownTotals.map(JSONPath.init) : [])
        nextPages = stop.checksWellKnownPlaces ? try Self.wellKnownNextPages.map { (try JSONPath($0.path), $0.paginator) } : []
    }

    /// Whether the pages must be read as JSON for the checks.
    var readsBody: Bool { !totals.isEmpty || !nextPages.isEmpty }

    /// The API's total on a page, with where it was.
    func total(in json: JSONTree?) -> (path: String, value: Int)? {
        guard let json else { return nil }
        for path in totals {
            if let text = path.string(in: json), let value = Int(text), value >= 0 { return (path.description, value) }
        }
        return nil
    }

    /// After the paginator ended at `page`: throws when the page still names a next page at a well-known place.
    func checkNoNextPage(after page: HTTPFetcher.Response, json: JSONTree?, pageIndex: Int, ended reason: String,
                         recordsRead: Int?, total: (path: String, value: Int)?) throws {
        var found: (place: String, value: String, paginator: String)?
        if let json {
            for (path, suggestion) in nextPages {
                guard let value = path.value(in: json), value.bool == nil, let text = value.scalarText,
                      !text.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
                found = ("at \"\(path)\"", text, suggestion)
                break
            }
        }
        // A `.linkHeader` paginator that ended saw no next link there.
        if found == nil, !nextPages.isEmpty, let link = page.header("Link").flatMap(Paginator.nextLink(in:)) {
            found = ("in its Link header (rel=\"next\")", link, ".linkHeader")
        }
        guard let found else { return }
        let read = recordsRead.map { "only the \($0) record(s) read" } ?? "only the \(pageIndex) page(s) read"
        let of = total.map { " of the \($0.value) that the API's total at \"\($0.path)\" counts" } ?? ""
        throw IngestError(
            "the last page read (page \(pageIndex), \(Redactor.shared.redactURL(page.url))) still names a next page \(found.place) "
                + "(\(Redactor.shared.redactURL(found.value))) that the dataset's paginator did not follow (\(reason)): "
                + "the run would load \(read)\(of)",
            fix: "declare paginator: \(found.paginator) on the dataset's RESTExtractor; if that member is not a next page, "
                + "declare stop: PageStop(checksWellKnownPlaces: false)")
    }

    /// After the last page: throws (or, with `allowShortTotal`, notes) when fewer records were read than the API's total.
    func checkTotal(_ total: (path: String, value: Int)?, recordsRead: Int, pages: Int, lastURL: String, stopReason: String?) throws {
        guard let total, recordsRead < total.value else { return }
        let declared = declaredTotal != nil
        let text = "the API's total at \"\(total.path)\" is \(total.value) record(s), but the run read \(recordsRead) "
            + "in \(pages) page(s) (\(total.value - recordsRead) not read; the last page was \(Redactor.shared.redactURL(lastURL))"
            + (stopReason.map { ": \($0)" } ?? "") + ")"
        if stop.allowShortTotal {
            RunNotes.totalNotReached(text)
            return
        }
        let undeclared = declared ? "" : "; if \"\(total.path)\" is not the number of records, declare stop: PageStop(checksWellKnownPlaces: false)"
        throw IngestError(
            text,
            fix: "check the dataset's paginator and recordsPath against the API's pages; if the total may count more than the "
                + "pages hold (or change while paging), declare stop: PageStop(allowShortTotal: true) to load what arrived with "
                + "a notice (the gate's failOnShortTotal decides)\(undeclared)")
    }
}
