import Foundation
import IngestCommon
import Testing

@Suite struct JSONPathTests {
    let json = try! JSONTree.parse(Data(#"""
        {"results": [{"id": 1}, {"id": 2}], "data": {"items": [{"id": "a", "tags": ["x", "y"]}, {"id": "b", "tags": []}], "next": null},
         "a": {"b": [{"c": "first"}, {"c": "second"}]}, "count": 42, "odd key": {"v": true}}
        """#.utf8))

    @Test func namesIndexesAndWildcards() throws {
        #expect(try JSONPath("results").records(in: json)?.count == 2)
        #expect(try JSONPath("data.items[*]").records(in: json)?.count == 2)
        #expect(try JSONPath("data.items[*].id").values(in: json).compactMap(\.string) == ["a", "b"])
        #expect(try JSONPath("a.b[0].c").string(in: json) == "first")
        #expect(try JSONPath("$.a.b[1].c").string(in: json) == "second")
        #expect(try JSONPath("data.items[*].tags[*]").values(in: json).count == 2)
        #expect(try JSONPath("count").string(in: json) == "42")
        #expect(try JSONPath(#"["odd key"].v"#).value(in: json) != nil)
        #expect(try JSONPath("[*].id").values(in: JSONTree.parse(Data(#"[{"id": 1}, {"id": 2}]"#.utf8))).count == 2)
    }

    @Test func missingAndNullValues() throws {
        #expect(try JSONPath("data.next").string(in: json) == nil)
        #expect(try JSONPath("data.next").records(in: json)?.isEmpty == true)
        #expect(try JSONPath("nope").records(in: json) == nil)
        #expect(try JSONPath("a.b[5].c").value(in: json) == nil)
        #expect(try JSONPath("results.id").values(in: json).isEmpty, "a name does not reach into an array")
    }

    @Test func malformedPathsNameThemselves() {
        for bad in ["a.", "a[", "a[x]", "a..b"] {
            #expect(throws: IngestError.self) { try JSONPath(bad) }
        }
        let error = #expect(throws: IngestError.self) { try JSONPath("items[") }
        #expect(error?.message.contains("\"items[\"") == true)
    }

    @Test func numbersAndBooleansReadAsText() throws {
        let page = try JSONTree.parse(Data(#"{"cursor": 12345678901234567890, "more": true, "amount": 0.10}"#.utf8))
        #expect(try JSONPath("cursor").string(in: page) == "12345678901234567890", "a long numeric cursor keeps every digit")
        #expect(try JSONPath("more").string(in: page) == "true")
        #expect(try JSONPath("amount").string(in: page) == "0.1")
    }
}
