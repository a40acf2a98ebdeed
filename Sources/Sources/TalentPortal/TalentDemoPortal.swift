import Foundation
import IngestKit

/// The built-in demo of a Lightning talent portal, served over real HTTP on
/// 127.0.0.1: a list page whose JavaScript loads vacancies through Aura XHR
/// POSTs (`/s/sfsites/aura`) and pages with a "next page" button, plus a CSV
/// export. The Aura answers are shaped like Salesforce's: the page's record
/// ids in `actions[0].returnValue`, the records themselves in
/// `context.globalValueProviders[type=$Record].values.records`.
/// The data is deterministic and has the awkward cases: null and blank
/// clients, padded titles and statuses, missing rates, hours and dates.
public struct TalentDemoPortal: Sendable {
    public static let defaultRows = 137
    public static let pageSize = 25
    public static let defaultPort = 8767

    public var vacancies: Int
    /// Each revision retitles every 10th vacancy, to show updates.
    public var revision: Int
    /// A pause before each Aura answer (for tests that act mid-browse).
    public var delay: Duration

    public init(vacancies: Int = defaultRows, revision: Int = 0, delay: Duration = .zero) {
        self.vacancies = vacancies
        self.revision = revision
        self.delay = delay
    }

    init(settings: Settings) throws {
        func number(_ name: String, _ fallback: Int) throws -> Int {
            guard let text = settings[name] else { return fallback }
            guard let value = Int(text), value >= 0 else {
                throw IngestError("\(name) is \"\(text)\", not a whole number", fix: "set \(name) to e.g. \(fallback)")
            }
            return value
        }
        self.init(vacancies: try number("TALENT_PORTAL_DEMO_ROWS", Self.defaultRows),
                  revision: try number("TALENT_PORTAL_DEMO_REVISION", 0),
                  delay: .milliseconds(try number("TALENT_PORTAL_DEMO_DELAY_MS", 0)))
    }

    public func start(port: Int = 0) async throws -> LoopbackHTTPServer {
        let portal = self
        return try await LoopbackHTTPServer.start(port: port) { request in
            await portal.respond(to: request)
        }
    }

    /// Answers one request (for a server of one's own, e.g. one that switches revisions on one port).
    public func respond(to request: LoopbackHTTPServer.Request) async -> LoopbackHTTPServer.Response {
        switch (request.method, request.path) {
        case ("GET", "/s/vacatures"), ("GET", "/"):
            return LoopbackHTTPServer.Response(headers: [("Content-Type", "text/html; charset=utf-8")], body: Data(Self.listPage.utf8))
        case ("POST", "/s/sfsites/aura"):
            if delay > .zero { try? await Task.sleep(for: delay) }
            let page = max(1, Int(request.query["page"] ?? "1") ?? 1)
            return .json(auraPage(page))
        case ("GET", "/s/export/vacatures.csv"):
            return LoopbackHTTPServer.Response(headers: [
                ("Content-Type", "text/csv; charset=utf-8"),
                ("Content-Disposition", "attachment; filename=\"vacatures.csv\""),
            ], body: Data(csvExport().utf8))
        default:
            return LoopbackHTTPServer.Response(status: 404, headers: [("Content-Type", "text/plain")], body: Data("Not found".utf8))
        }
    }

    // MARK: data

    /// One vacancy's fields; `nil` is a JSON null.
    struct Vacancy {
        var id: String
        var number: String
        var title: String?
        var client: String??   // .none: no account; .some(nil) cannot happen; "": blank name
        var location: String?
        var hours: Int?
        var rateCents: Int?
        var publication: String?
        var closing: String?
        var status: String?
    }

    static let titles = ["Data Engineer", "Projectleider Sociaal Domein", "Business Analist", "Java Developer",
                         "Adviseur Inkoop", "Scrum Master", "Beleidsmedewerker Wonen", "Cloud Architect"]
    static let clients = ["Gemeente Amsterdam", "Rijkswaterstaat", "Provincie Utrecht", "UWV", "Belastingdienst", "Gemeente Eindhoven"]
    static let cities = ["Amsterdam", "Utrecht", "Den Haag", "Rotterdam", "Eindhoven", "Zwolle", "Groningen"]
    static let statuses = ["Open", "In behandeling", "Gesloten", "Vervuld"]

    func vacancy(_ n: Int) -> Vacancy {
        var title: String? = Self.titles[n % Self.titles.count]
        if n % 13 == 4 { title = "  \(title!)  " }
        if n % 29 == 0 { title = nil }
        if revision > 0, n % 10 == 0, let current = title { title = current + " (rev \(revision))" }
        let client: String??
        switch n % 9 {
        case 2: client = .none
        case 5: client = .some("")
        case 7: client = .some(" \(Self.clients[n % Self.clients.count]) ")
        default: client = .some(Self.clients[n % Self.clients.count])
        }
        let month = n % 9 + 1, day = n % 27 + 1
        var status: String? = Self.statuses[n % Self.statuses.count]
        if n % 10 == 6 { status = " \(status!.uppercased()) " }
        if n % 31 == 0 { status = nil }
        return Vacancy(
            id: "a0X5J0000" + pad(n, 6) + "QAA", number: "VAC-" + pad(n, 5), title: title, client: client,
            location: n % 11 == 3 ? nil : Self.cities[n % Self.cities.count],
            hours: n % 17 == 0 ? nil : 16 + (n % 5) * 6,
            rateCents: n % 19 == 0 ? nil : n % 7 == 0 ? (70 + n % 30) * 100 : 6_500 + (n * 1_237) % 6_000,
            publication: "2026-\(pad(month, 2))-\(pad(day, 2))",
            closing: n % 23 == 0 ? nil : "2026-\(pad(month + 1, 2))-\(pad(day, 2))",
            status: status)
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    private func json(_ text: String?) -> String {
        guard let text else { return "null" }
        return String(decoding: JSONTree.string(text).data(), as: UTF8.self)
    }

    private func rate(_ cents: Int?) -> String {
        guard let cents else { return "null" }
        // Whole euros go out as JSON integers, the rest with two decimals, as Salesforce sends currency.
        return cents % 100 == 0 ? String(cents / 100) : "\(cents / 100).\(pad(cents % 100, 2))"
    }

    private func display(_ date: String?) -> String {
        guard let date else { return "null" }
        let parts = date.split(separator: "-")
        return json("\(parts[2])-\(parts[1])-\(parts[0])")
    }

    func auraRecord(_ v: Vacancy) -> String {
        let account: String
        switch v.client {
        case .none: account = #"{"displayValue": null, "value": null}"#
        case .some(let name):
            account = #"{"displayValue": \#(json(name)), "value": {"apiName": "Account", "childRelationships": {}, "id": "0015J00000\#(v.id.suffix(8))", "fields": {"Name": {"displayValue": null, "value": \#(json(name))}}, "recordTypeId": "012000000000000AAA"}}"#
        }
        let rateDisplay = v.rateCents.map { json("€ \($0 / 100),\(pad($0 % 100, 2))") } ?? "null"
        return #"""
        "\#(v.id)": {"Vacature__c": {"isPrimary": true, "record": {"apiName": "Vacature__c", "childRelationships": {}, "eTag": "\#(v.number.lowercased())-\#(revision)", "id": "\#(v.id)", "recordTypeId": "012000000000000AAA", "fields": {"Id": {"displayValue": null, "value": "\#(v.id)"}, "Name": {"displayValue": null, "value": \#(json(v.number))}, "Title__c": {"displayValue": null, "value": \#(json(v.title))}, "Account__c": {"displayValue": null, "value": \#(v.client == nil ? "null" : json("0015J00000" + v.id.suffix(8)))}, "Account__r": \#(account), "Location__c": {"displayValue": null, "value": \#(json(v.location))}, "Hours_Per_Week__c": {"displayValue": \#(v.hours.map { json(String($0)) } ?? "null"), "value": \#(v.hours.map(String.init) ?? "null")}, "Hourly_Rate__c": {"displayValue": \#(rateDisplay), "value": \#(rate(v.rateCents))}, "Publication_Date__c": {"displayValue": \#(display(v.publication)), "value": \#(json(v.publication))}, "Closing_Date__c": {"displayValue": \#(display(v.closing)), "value": \#(json(v.closing))}, "Status__c": {"displayValue": \#(json(v.status)), "value": \#(json(v.status))}}}}}
        """#
    }

    /// The Aura answer for one page of the list.
    func auraPage(_ page: Int) -> String {
        let start = (page - 1) * Self.pageSize
        let end = min(vacancies, start + Self.pageSize)
        let items = start < end ? (start..<end).map { vacancy($0 + 1) } : []
        let ids = items.map { "\"\($0.id)\"" }.joined(separator: ", ")
        let hasMore = end < vacancies
        return #"""
        {"actions": [{"id": "\#(page);a", "state": "SUCCESS", "returnValue": {"recordIds": [\#(ids)], "page": \#(page), "pageSize": \#(Self.pageSize), "totalCount": \#(vacancies), "hasMore": \#(hasMore)}, "error": []}], "context": {"mode": "PROD", "app": "siteforce:communityApp", "contextPath": "/s/sfsites", "pathPrefix": "", "fwuid": "demo-fwuid", "loaded": {"APPLICATION@markup://siteforce:communityApp": "demo"}, "globalValueProviders": [{"type": "$Label", "values": {"Vacatures": {"Volgende": "Volgende pagina"}}}, {"type": "$Global", "values": {"isVoiceOver": {"writable": true, "defaultValue": false}}}, {"type": "$Record", "values": {"records": {\#(items.map(auraRecord).joined(separator: ", "))}}}]}, "perfSummary": {"version": "core", "request": [0, 1], "actions": {}}}
        """#
    }

    /// All vacancies as the portal's CSV export (RFC 4180, CRLF).
    func csvExport() -> String {
        func field(_ text: String?) -> String {
            guard let text else { return "" }
            if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || text.hasPrefix(" ") {
                return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return text
        }
        var lines = ["Id,Nummer,Titel,Opdrachtgever,Locatie,Uren,Tarief,Publicatiedatum,Sluitingsdatum,Status"]
        for n in stride(from: 1, through: vacancies, by: 1) {
            let v = vacancy(n)
            let client: String?? = v.client
            lines.append([v.id, v.number, v.title, client ?? nil, v.location, v.hours.map(String.init),
                          v.rateCents.map { rate($0) }, v.publication, v.closing, v.status].map(field).joined(separator: ","))
        }
        // One vacancy note with a comma, a quote and a line break, as exports have.
        lines.append(field("a0X5J0000999999QAA") + ",VAC-99999,\"Notitie: \"\"spoed\"\", start\nper direct\",,,,,,,")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    // MARK: the page

    static let listPage = #"""
    <!DOCTYPE html>
    <html lang="nl">
    <head><meta charset="utf-8"><title>Talent Portal — Vacatures</title>
    <style>body{font-family:sans-serif;margin:2em} td,th{padding:4px 8px;border-bottom:1px solid #ddd} #next{margin:1em 0;padding:6px 12px}</style>
    </head>
    <body>
    <h1>Vacatures</h1>
    <form id="search" onsubmit="return false"><label>Zoeken <input id="q" name="q" type="text" placeholder="Functie of plaats"></label></form>
    <table id="vacatures" data-page="0" data-has-more="false">
    <thead><tr><th>Nummer</th><th>Functie</th><th>Opdrachtgever</th><th>Locatie</th><th>Uren</th><th>Tarief</th><th>Sluit</th><th>Status</th></tr></thead>
    <tbody></tbody>
    </table>
    <p id="pager"><span id="page-info">Laden…</span> <button id="next" type="button" disabled>Volgende pagina</button></p>
    <p><a id="export" href="/s/export/vacatures.csv" download="vacatures.csv">Exporteer als CSV</a></p>
    <script>
    (function () {
      var current = 0, counter = 0;
      var table = document.getElementById('vacatures');
      var next = document.getElementById('next');
      function value(record, name) {
        var field = record.fields[name];
        return field == null ? null : field.value;
      }
      function cell(row, text) {
        var td = document.createElement('td');
        td.textContent = text == null ? '' : String(text);
        row.appendChild(td);
      }
      function load(page) {
        next.disabled = true;
        counter += 1;
        var message = {actions: [{id: counter + ';a', descriptor: 'apex://VacatureListController/ACTION$getVacatures',
                                  callingDescriptor: 'markup://c:vacatureList', params: {page: page, pageSize: 25}}]};
        var xhr = new XMLHttpRequest();
        xhr.open('POST', '/s/sfsites/aura?r=' + counter + '&aura.ApexAction.execute=1&page=' + page);
        xhr.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded; charset=UTF-8');
        xhr.onload = function () {
          var data = JSON.parse(xhr.responseText);
          var result = data.actions[0].returnValue;
          var provider = data.context.globalValueProviders.filter(function (p) { return p.type === '$Record'; })[0];
          var tbody = table.querySelector('tbody');
          tbody.innerHTML = '';
          result.recordIds.forEach(function (id) {
            var record = provider.values.records[id].Vacature__c.record;
            var account = value(record, 'Account__r');
            var row = document.createElement('tr');
            row.setAttribute('data-id', id);
            cell(row, value(record, 'Name'));
            cell(row, value(record, 'Title__c'));
            cell(row, account && account.fields.Name.value);
            cell(row, value(record, 'Location__c'));
            cell(row, value(record, 'Hours_Per_Week__c'));
            cell(row, record.fields.Hourly_Rate__c.displayValue);
            cell(row, record.fields.Closing_Date__c.displayValue);
            cell(row, value(record, 'Status__c'));
            tbody.appendChild(row);
          });
          current = result.page;
          table.setAttribute('data-has-more', result.hasMore ? 'true' : 'false');
          table.setAttribute('data-page', String(current));
          document.getElementById('page-info').textContent = 'Pagina ' + current + ' van ' + Math.max(1, Math.ceil(result.totalCount / result.pageSize));
          next.disabled = !result.hasMore;
        };
        xhr.send('message=' + encodeURIComponent(JSON.stringify(message)) + '&aura.pageURI=%2Fs%2Fvacatures');
      }
      next.addEventListener('click', function () { load(current + 1); });
      load(1);
    })();
    </script>
    </body>
    </html>
    """#
}
