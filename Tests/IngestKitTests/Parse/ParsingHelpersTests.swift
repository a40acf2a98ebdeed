import Foundation
import IngestKit
import Testing

/// The parsing helpers for browser artifacts: Aura payloads, HTML, CSV exports.
@Suite struct AuraPayloadTests {
    static let payload = #"""
    {"actions": [{"id": "7;a", "state": "SUCCESS", "returnValue": {"recordIds": ["a0X000000000002AAA", "a0X000000000001AAA"], "hasMore": false}}],
     "context": {"globalValueProviders": [
        {"type": "$Label", "values": {}},
        {"type": "$Record", "values": {"records": {
           "a0X000000000002AAA": {"Vacature__c": {"record": {"apiName": "Vacature__c", "id": "a0X000000000002AAA", "fields": {
              "Name": {"displayValue": null, "value": "VAC-2"},
              "Title__c": {"displayValue": null, "value": "  Data Engineer "},
              "Account__r": {"displayValue": "Acme", "value": {"apiName": "Account", "id": "001A", "fields": {"Name": {"value": "Acme"}, "Owner__r": {"value": {"apiName": "User", "fields": {"Alias": {"value": "jdoe"}}}}}}},
              "Hours__c": {"displayValue": "36", "value": 36},
              "Rate__c": {"displayValue": "€ 92,25", "value": 92.25},
              "Closing__c": {"displayValue": "01-03-2026", "value": "2026-03-01"},
              "Status__c": {"value": null}}}}},
           "a0X000000000001AAA": {"Vacature__c": {"record": {"apiName": "Vacature__c", "id": "a0X000000000001AAA", "fields": {
              "Name": {"displayValue": null, "value": "VAC-1"},
              "Account__r": {"displayValue": null, "value": null},
              "Rate__c": {"displayValue": null, "value": "85.10"},
              "Active__c": {"value": true}}}}}
        }}}]}}
    """#

    @Test func recordsComeFromTheRecordProviderFlattened() throws {
        let aura = try AuraPayload(Data(Self.payload.utf8))
        #expect(aura.actionStates == ["SUCCESS"])
        #expect(aura.returnValues.first?["recordIds"]?.array?.count == 2)
        let records = try aura.records()
        #expect(records.map(\.id) == ["a0X000000000001AAA", "a0X000000000002AAA"], "ordered by id")
        let second = records[1]
        #expect(second.apiName == "Vacature__c")
        #expect(second.text("Name") == "VAC-2")
        #expect(second.text("Title__c") == "  Data Engineer ", "text kept exactly")
        #expect(second.text("Account__r.Name") == "Acme")
        #expect(second.text("Account__r.Id") == "001A")
        #expect(second.text("Account__r.Owner__r.Alias") == "jdoe", "nested lookups flatten with dots")
        #expect(second.int("Hours__c") == 36)
        #expect(second.decimal("Rate__c") == Decimal(string: "92.25"))
        #expect(second.date("Closing__c")?.description == "2026-03-01")
        #expect(second.displayValues["Rate__c"] == "€ 92,25")
        #expect(second["Status__c"] == .null)
        #expect(second.text("Status__c") == nil)
        let first = records[0]
        #expect(first["Account__r"] == .null, "a null lookup stays null")
        #expect(first.text("Account__r.Name") == nil)
        #expect(first.decimal("Rate__c") == Decimal(string: "85.10"), "decimal strings read exactly")
        #expect(first.text("Active__c") == "true")
        #expect(first["Title__c"] == nil, "a missing field is absent")
    }

    /// Rates read with `exactDecimal` keep every digit of a decimal string, beyond `Decimal`'s 38.
    @Test func exactDecimalKeepsEveryDigit() throws {
        let long = "1234567890123456789012345678901234567890.0123456789"
        let json = Self.payload.replacingOccurrences(of: #""value": "85.10""#, with: #""value": "\#(long)""#)
        let records = try AuraPayload(Data(json.utf8)).records()
        #expect(records[0].exactDecimal("Rate__c")?.text == long)
        #expect(records[0].decimal("Rate__c") == nil, "Decimal cannot hold it: no rounded value")
        #expect(records[1].exactDecimal("Rate__c")?.text == "92.25")
        #expect(records[1].exactDecimal("Status__c") == nil)
    }

    @Test func recordsOnlyInReturnValueIsTheClassicTrap() throws {
        let json = #"{"actions": [{"state": "SUCCESS", "returnValue": {"records": [{"Id": "1"}]}}], "context": {"globalValueProviders": [{"type": "$Label", "values": {}}]}}"#
        let aura = try AuraPayload(Data(json.utf8))
        #expect(!aura.hasRecordProvider)
        let error = try #require(throws: IngestError.self) { try aura.records() }
        #expect(error.message.contains("globalValueProviders[type=$Record]"))
        #expect(error.fix?.contains("not in actions[].returnValue") == true)
    }

    @Test func notAuraIsNamed() {
        #expect(throws: IngestError.self) { try AuraPayload(Data("<html></html>".utf8)) }
        #expect(throws: IngestError.self) { try AuraPayload(Data(#"{"results": []}"#.utf8)) }
    }

    @Test func otherRecordShapesAreAccepted() throws {
        let json = #"{"context": {"globalValueProviders": [{"type": "$Record", "values": {"records": {"x1": {"record": {"id": "x1", "fields": {"A": {"value": 1}}}}, "x2": {"id": "x2", "fields": {"A": 2}}}}}]}}"#
        let records = try AuraPayload(Data(json.utf8)).records()
        #expect(records.map(\.id) == ["x1", "x2"])
        #expect(records.map { $0.int("A") } == [1, 2])
    }
}

@Suite struct HTMLDocumentTests {
    static let page = """
    <!DOCTYPE html><html><head><title> Vacatures &amp; meer </title></head><body>
    <table id=list class="grid main"><tbody>
    <tr data-id=a1><td>VAC-1<td>Data&nbsp;Engineer<td><a href="/s/vacature/a1">open</a>
    <tr data-id="a2"><td>VAC-2<td>  Scrum   Master <td><a href='/s/vacature/a2'>open</a>
    </table>
    <ul><li>één<li>twee</ul>
    <p>unclosed paragraph
    <div class="x"><span class="y">inner</span></div>
    </body></html>
    """

    @Test func xpathOnTagSoup() throws {
        let document = try HTMLDocument(Self.page)
        #expect(document.title == "Vacatures & meer")
        let rows = try document.select("//table[@id='list']//tr")
        #expect(rows.count == 2, "unclosed td/tr are closed by the parser")
        #expect(rows[0][attribute: "data-id"] == "a1", "unquoted attribute kept")
        #expect(try rows[0].select("td").count == 3)
        #expect(try rows[0].select("td[2]").first?.text == "Data\u{00A0}Engineer", "&nbsp; decoded")
        #expect(try rows[1].select("td[2]").first?.normalizedText == "Scrum Master")
        #expect(try rows[1].string("string(.//a/@href)") == "/s/vacature/a2")
        #expect(try document.select("//li").map(\.text) == ["één", "twee"])
        #expect(try document.string("count(//tr)") == "2")
        #expect(try document.select("//a/@href").map(\.text) == ["/s/vacature/a1", "/s/vacature/a2"])
        #expect(rows[0].name == "tr")
        #expect(rows[0].html.hasPrefix("<tr data-id=\"a1\">"))
    }

    @Test func cssSelectors() throws {
        let document = try HTMLDocument(Self.page)
        #expect(try document.select(css: "table#list > tbody > tr").count == 2)
        #expect(try document.select(css: "table.grid td a").count == 2)
        #expect(try document.select(css: "tr[data-id=a2] td").count == 3)
        #expect(try document.select(css: "tr[data-id='a2']").count == 1)
        #expect(try document.select(css: "div.x span.y").first?.text == "inner")
        #expect(try document.select(css: "li, span").count == 3)
        let table = try #require(try document.select(css: "#list").first)
        #expect(try table.select(css: "a[href]").count == 2)
    }

    @Test func badExpressionsAreNamed() throws {
        let document = try HTMLDocument(Self.page)
        let error = try #require(throws: IngestError.self) { try document.select("//tr[") }
        #expect(error.message.contains("//tr["))
        #expect(throws: IngestError.self) { try document.select(css: "tr[data-id") }
        #expect(throws: IngestError.self) { try HTMLDocument(Data()) }
    }
}

@Suite struct CSVTableTests {
    @Test func rfc4180() throws {
        let text = "\u{FEFF}id,name,note\r\n1,Alpha,plain\r\n2,\"Beta, Inc.\",\"said \"\"hi\"\"\"\r\n3,Gamma,\"two\r\nlines\"\r\n4,,\"\"\r\n"
        let table = try CSVTable(Data(text.utf8))
        #expect(table.header == ["id", "name", "note"])
        #expect(table.rows.count == 4)
        #expect(table.rows[1] == ["2", "Beta, Inc.", "said \"hi\""])
        #expect(table.rows[2][2] == "two\r\nlines")
        #expect(table.rows[3] == ["4", "", ""])
        #expect(table.records[0]["name"] == "Alpha")
        #expect(table.column("id") == ["1", "2", "3", "4"])
        #expect(table.column("nope") == nil)
    }

    @Test func lfEndingsSemicolonsAndNoFinalNewline() throws {
        let table = try CSVTable(Data("a;b\nx;\"y;z\"\n\n1;2".utf8), delimiter: ";")
        #expect(table.rows == [["x", "y;z"], ["1", "2"]], "a blank line is no record")
    }

    @Test func brokenExportsAreNamed() throws {
        let ragged = try #require(throws: IngestError.self) { try CSVTable(Data("a,b\n1,2\n3\n".utf8)) }
        #expect(ragged.message.contains("line 3"))
        let open = try #require(throws: IngestError.self) { try CSVTable(Data("a,b\n1,\"never closed\n".utf8)) }
        #expect(open.message.contains("quoted field"))
        #expect(throws: IngestError.self) { try CSVTable(Data()) }
    }
}
