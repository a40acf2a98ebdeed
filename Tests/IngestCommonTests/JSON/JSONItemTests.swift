import Foundation
import IngestCommon
import Testing

/// `JSONItem`: each item of a list decoded on its own, with its JSON text and the keys its type never read.
@Suite struct JSONItemTests {
    struct Line: Decodable { var sku: String }
    struct Item: Decodable {
        var id: String
        var total: Int?
        var lines: [Line]?
        var customer: Customer?
        struct Customer: Decodable { var id: String }
    }
    struct Page: Decodable { var results: [JSONItem<Item>] }

    @Test func badItemsFailAloneWithTheirRawTextAndPlace() throws {
        let json = #"""
        {"results": [ {"id": "a", "total": 1},
                      {"id": "b", "total": "x\"y\u0000", "extra": [1, 2.50e3, true, null, {"k": []}]},
                      {"total": 3} ]}
        """#
        let page = try IngestJSONDecoder().decode(Page.self, from: Data(json.utf8))
        #expect(page.results.map { $0.value?.id } == ["a", nil, nil])
        #expect(page.results[0].raw == #"{"id":"a","total":1}"#)
        #expect(page.results[1].raw == #"{"id":"b","total":"x\"y\u0000","extra":[1,2.50e3,true,null,{"k":[]}]}"#, "escapes and number text kept")
        #expect(page.results[1].failure?.contains("results[1].total") == true, "\(page.results[1].failure ?? "")")
        #expect(page.results[2].failure?.contains("missing key \"id\"") == true, "\(page.results[2].failure ?? "")")
    }

    @Test func keysTheTypeNeverReadAreReportedAsDottedPaths() throws {
        let json = #"""
        {"results": [{"id": "a", "discount": 5, "customer": {"id": "c", "phone": "555"}, "lines": [{"sku": "s", "colour": "red"}, {"sku": "t"}]},
                     {"id": "b", "discount": 7}]}
        """#
        let drift = SchemaDrift()
        let page = try SchemaDrift.$current.withValue(drift) { try IngestJSONDecoder().decode(Page.self, from: Data(json.utf8)) }
        #expect(page.results[0].unread.map(\.path) == ["discount", "customer.phone", "lines.colour"])
        #expect(drift.collected.map(\.path) == ["customer.phone", "discount", "lines.colour"])
        #expect(drift.collected.map(\.count) == [1, 2, 1])
        #expect(drift.collected.map(\.example) == [#""555""#, "5", #""red""#])
        // Decoding without JSONItem tracks nothing.
        struct Plain: Decodable { var results: [Item] }
        let none = SchemaDrift()
        _ = try SchemaDrift.$current.withValue(none) { try IngestJSONDecoder().decode(Plain.self, from: Data(json.utf8)) }
        #expect(none.collected.isEmpty)
    }
}
