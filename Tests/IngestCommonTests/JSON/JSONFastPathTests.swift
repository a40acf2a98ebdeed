import Foundation
import IngestCommon
import Testing

/// The decoder's fast paths give what the reference gives on awkward input: an item's raw text
/// against an independent compaction of the document, coding paths of containers used after the
/// decoder moved on against Foundation's, duplicate keys (the first wins), keys in any order.
@Suite struct JSONFastPathTests {
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ text: String) { stringValue = text }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }

    /// The JSON text without white space outside strings: what `JSONItem.raw` must hold, written without the tape.
    static func compacted(_ json: String) -> String {
        var out: [UInt8] = []
        var inString = false, escaped = false
        for byte in json.utf8 {
            if inString {
                out.append(byte)
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
                out.append(byte)
            } else if ![0x20, 0x0A, 0x0D, 0x09].contains(byte) {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    struct Item: Decodable { var id: String? }
    struct Page: Decodable { var results: [JSONItem<Item>] }

    @Test func rawTextIsTheItemCompactedByteForByte() throws {
        let items = [
            #"{"id": "a"}"#,
            #"{ "id" : "b\"q\\\u00e9\n", "n" : -1.25e+3 , "t":true,"f" : false , "z": null }"#,
            "{\n\t\"id\": \"é😀 \\ud83d\\ude00\",\r\n \"nested\": {\"deep\": [ [ ], { }, [1, [2, {\"k\": \"v\"}]] ] },\n \"empty\": \"\" }",
            #"{"list": [ {"a": [ ]} , "x" , 0 , -0.0 , 123456789012345678901234567890 ]}"#,
            #"{}"#,
            #"{ }"#,
            #"{"id":"last","tail":[{"x":{}}]}"#,
        ]
        let json = "{ \"results\" : [ " + items.joined(separator: " ,\n ") + " ] }"
        let page = try IngestJSONDecoder().decode(Page.self, from: Data(json.utf8))
        #expect(page.results.map(\.raw) == items.map(Self.compacted))
        // The last item of the document ends where the document does (no following value).
        let single = try IngestJSONDecoder().decode(JSONItem<Item>.self, from: Data(" {\"id\" : \"s\" , \"a\" : [ 1 ] } ".utf8))
        #expect(single.raw == #"{"id":"s","a":[1]}"#)
    }

    struct Deep: Decodable { var v: Int }

    /// Containers taken with nestedContainer/nestedUnkeyedContainer and used after siblings decoded
    /// still name their own path in errors, as Foundation's do.
    struct Late: Decodable, Equatable {
        var b: Int
        var inner: String
        var first: String
        var deep: Int

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyKey.self)
            let nested = try container.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("n"))
            var list = try container.nestedUnkeyedContainer(forKey: AnyKey("l"))
            b = try container.decode(Int.self, forKey: AnyKey("b"))
            deep = try container.decode([Deep].self, forKey: AnyKey("d")).first?.v ?? 0
            inner = try nested.decode(String.self, forKey: AnyKey("x"))
            first = try list.decode(String.self)
            let again = try nested.decode(Deep.self, forKey: AnyKey("y"))
            deep += again.v
        }
    }

    func outcome<T: Decodable & Equatable>(_ body: () throws -> T) -> String {
        do {
            return "value \(try body())"
        } catch let error as DecodingError {
            switch error {
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
                return "error at \(context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue })"
            case .keyNotFound(let key, let context):
                return "missing \(key.stringValue) at \(context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue })"
            @unknown default: return "other"
            }
        } catch {
            return "other \(error)"
        }
    }

    @Test func nestedContainersKeepTheirPathAfterTheDecoderMovedOn() {
        let documents = [
            #"{"n": {"x": "in", "y": {"v": 2}}, "l": ["first"], "b": 1, "d": [{"v": 3}]}"#,
            #"{"n": {"x": 5, "y": {"v": 2}}, "l": ["first"], "b": 1, "d": [{"v": 3}]}"#,
            #"{"n": {"x": "in", "y": {"v": 2}}, "l": [7], "b": 1, "d": [{"v": 3}]}"#,
            #"{"n": {"x": "in", "y": {"v": "two"}}, "l": ["first"], "b": 1, "d": [{"v": 3}]}"#,
            #"{"n": {"x": "in", "y": {"v": 2}}, "l": ["first"], "b": 1, "d": [{"v": null}]}"#,
            #"{"n": {"y": {"v": 2}}, "l": ["first"], "b": 1, "d": []}"#,
            #"{"n": {"x": "in", "y": {}}, "l": [], "b": 1, "d": []}"#,
        ]
        for document in documents {
            let data = Data(document.utf8)
            #expect(outcome { try IngestJSONDecoder().decode([Late].self, from: Data("[\(document)]".utf8)) }
                    == outcome { try JSONDecoder().decode([Late].self, from: Data("[\(document)]".utf8)) }, "\(document)")
            #expect(outcome { try IngestJSONDecoder().decode(Late.self, from: data) } == outcome { try JSONDecoder().decode(Late.self, from: data) })
        }
    }

    struct Order: Decodable, Equatable {
        var id: String
        var name: String?
        var total: Double?
        var tags: [String]?
        var customer: Customer?
        struct Customer: Decodable, Equatable { var id: Int64?; var email: String? }
    }

    /// Items of one array in different key orders, with keys missing, null or twice (the first one wins, as before).
    @Test func keysInAnyOrderMissingNullOrTwice() throws {
        let json = #"""
        {"results": [
          {"id": "1", "name": "a", "total": 1.5, "tags": ["x"], "customer": {"id": 7, "email": "e"}},
          {"customer": {"email": "f", "id": 8}, "tags": [], "total": 2, "name": null, "id": "2"},
          {"total": null, "id": "3"},
          {"id": "4", "name": "first", "name": "second", "customer": {"id": 1, "id": 2}},
          {"id": "5", "extra": {"id": "not this one"}, "name": "\u0041\n\"q\""}
        ]}
        """#
        struct Orders: Decodable { var results: [JSONItem<Order>] }
        let page = try IngestJSONDecoder().decode(Orders.self, from: Data(json.utf8))
        #expect(page.results.map(\.value) == [
            Order(id: "1", name: "a", total: 1.5, tags: ["x"], customer: .init(id: 7, email: "e")),
            Order(id: "2", name: nil, total: 2, tags: [], customer: .init(id: 8, email: "f")),
            Order(id: "3"),
            Order(id: "4", name: "first", customer: .init(id: 1)),
            Order(id: "5", name: "A\n\"q\""),
        ])
        // The second of a duplicated key is never read: it is reported as drift, as before.
        #expect(page.results[3].unread.map(\.path) == ["name", "customer.id"])
        #expect(page.results[3].unread.map(\.value) == [#""second""#, "2"])
        #expect(page.results[4].unread.map(\.path) == ["extra"])
        #expect(page.results[1].unread.isEmpty)
    }
}
