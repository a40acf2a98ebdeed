import Foundation
import IngestKit

/// The browser toolkit's own pages to browse, served over real HTTP on 127.0.0.1 (`LoopbackHTTPServer`):
/// what a scraped portal does, with no source behind it.
///
/// - `GET /s/items`: a list page (title "Browser demo — Items") whose script loads `items` items,
///   `pageSize` a page, through Lightning-style Aura XHR POSTs (`/s/sfsites/aura?r=<n>&page=<p>`; the
///   records in `context.globalValueProviders[type=$Record]`, as `AuraPayload` reads them) into
///   `#items tbody` (first cell: `ITEM-00001` …), sets `#items[data-page]`, and pages with the `#next`
///   button (disabled on the last page); a search field `#q`; an `#export` download link.
/// - `GET /s/export/items.csv`: every item as CSV (`Id,Number,Note`, CRLF, as an attachment `items.csv`),
///   then one row whose note holds a comma, quotes and a line break.
public struct BrowserDemoPages: Sendable {
    public static let pageSize = 25

    public var items: Int

    public init(items: Int = 60) {
        self.items = items
    }

    /// Starts serving on 127.0.0.1 (port 0: any free port).
    public func start(port: Int = 0) async throws -> LoopbackHTTPServer {
        let pages = self
        return try await LoopbackHTTPServer.start(port: port) { request in pages.respond(to: request) }
    }

    /// Answers one request.
    public func respond(to request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response {
        switch (request.method, request.path) {
        case ("GET", "/s/items"):
            return LoopbackHTTPServer.Response(headers: [("Content-Type", "text/html; charset=utf-8")], body: Data(Self.listPage.utf8))
        case ("POST", "/s/sfsites/aura"):
            return .json(auraPage(max(1, Int(request.query["page"] ?? "1") ?? 1)))
        case ("GET", "/s/export/items.csv"):
            return LoopbackHTTPServer.Response(headers: [
                ("Content-Type", "text/csv; charset=utf-8"),
                ("Content-Disposition", "attachment; filename=\"items.csv\""),
            ], body: Data(csvExport().utf8))
        default:
            return LoopbackHTTPServer.Response(status: 404, headers: [("Content-Type", "text/plain")], body: Data("Not found".utf8))
        }
    }

    /// Item `n` (from 1): its record id and its number.
    func item(_ n: Int) -> (id: String, number: String) {
        let digits = String(n)
        let padded = String(repeating: "0", count: max(0, 5 - digits.count)) + digits
        return ("a0X00000000\(padded)AAA", "ITEM-\(padded)")
    }

    /// The Aura answer for one page of the list: the page's ids in `actions[0].returnValue`, the records
    /// in the `$Record` value provider.
    public func auraPage(_ page: Int) -> String {
        let start = (page - 1) * Self.pageSize
        let end = min(items, start + Self.pageSize)
        let numbers = start < end ? Array(start + 1...end) : []
        let ids = numbers.map { "\"\(item($0).id)\"" }.joined(separator: ", ")
        let records = numbers.map { n in
            let (id, number) = item(n)
            return #""\#(id)": {"Item__c": {"record": {"apiName": "Item__c", "id": "\#(id)", "fields": {"Id": {"value": "\#(id)"}, "Name": {"value": "\#(number)"}}}}}"#
        }.joined(separator: ", ")
        return #"""
        {"actions": [{"id": "\#(page);a", "state": "SUCCESS", "returnValue": {"recordIds": [\#(ids)], "page": \#(page), "hasMore": \#(end < items)}}], "context": {"globalValueProviders": [{"type": "$Record", "values": {"records": {\#(records)}}}]}}
        """#
    }

    /// Every item as CSV (RFC 4180, CRLF), then a row whose note has a comma, quotes and a line break.
    public func csvExport() -> String {
        var lines = ["Id,Number,Note"]
        for n in stride(from: 1, through: items, by: 1) {
            let (id, number) = item(n)
            lines.append("\(id),\(number),")
        }
        lines.append("a0X0000099999AAA,ITEM-99999,\"Note: \"\"urgent\"\", start\nright away\"")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static let listPage = #"""
    <!DOCTYPE html>
    <html lang="en">
    <head><meta charset="utf-8"><title>Browser demo — Items</title></head>
    <body>
    <h1>Items</h1>
    <form onsubmit="return false"><label>Search <input id="q" name="q" type="text"></label></form>
    <table id="items" data-page="0">
    <thead><tr><th>Number</th><th>Id</th></tr></thead>
    <tbody></tbody>
    </table>
    <p><button id="next" type="button" disabled>Next page</button></p>
    <p><a id="export" href="/s/export/items.csv" download="items.csv">Export as CSV</a></p>
    <script>
    (function () {
      var current = 0, counter = 0;
      var table = document.getElementById('items');
      var next = document.getElementById('next');
      function load(page) {
        next.disabled = true;
        counter += 1;
        var xhr = new XMLHttpRequest();
        xhr.open('POST', '/s/sfsites/aura?r=' + counter + '&page=' + page);
        xhr.onload = function () {
          var data = JSON.parse(xhr.responseText);
          var result = data.actions[0].returnValue;
          var records = data.context.globalValueProviders.filter(function (p) { return p.type === '$Record'; })[0].values.records;
          var tbody = table.querySelector('tbody');
          tbody.innerHTML = '';
          result.recordIds.forEach(function (id) {
            var record = records[id].Item__c.record;
            var row = document.createElement('tr');
            [record.fields.Name.value, record.fields.Id.value].forEach(function (text) {
              var cell = document.createElement('td');
              cell.textContent = text;
              row.appendChild(cell);
            });
            tbody.appendChild(row);
          });
          current = result.page;
          table.setAttribute('data-page', String(current));
          next.disabled = !result.hasMore;
        };
        xhr.send('page=' + page);
      }
      next.addEventListener('click', function () { load(current + 1); });
      load(1);
    })();
    </script>
    </body>
    </html>
    """#
}
