import Foundation
import IngestCommon
import Testing

/// Every refusal of the JSON reader says what it is, and a lone surrogate reads as U+FFFD with a notice
/// (issue 11, item 2). `JSONTree` (the toolkit's value type) and `IngestJSONDecoder` (the parsers') share the reader.
@Suite struct JSONRefusalTests {
    struct Refusal: CustomStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        var kind: JSONSyntaxError.Kind
        var summary: String
        var description: String { name }
    }

    static let refusals: [Refusal] = [
        Refusal(name: "Latin-1 byte in a string", bytes: Array(#"{"name": "caf"#.utf8) + [0xE9] + Array(#""}"#.utf8),
                kind: .invalidUTF8, summary: "invalid UTF-8 at byte offset 13"),
        Refusal(name: "stray continuation byte", bytes: Array(#"["a"#.utf8) + [0x80] + Array(#""]"#.utf8),
                kind: .invalidUTF8, summary: "invalid UTF-8 at byte offset 3"),
        Refusal(name: "600 nested arrays", bytes: Array((String(repeating: "[", count: 600) + String(repeating: "]", count: 600)).utf8),
                kind: .tooDeep, summary: "nesting deeper than 512 at byte offset 512"),
        Refusal(name: "600 nested objects", bytes: Array((String(repeating: #"{"a":"#, count: 600) + "1" + String(repeating: "}", count: 600)).utf8),
                kind: .tooDeep, summary: "nesting deeper than 512 at byte offset 2560"),
        Refusal(name: "cut off in an array", bytes: Array(#"{"results": [1, 2"#.utf8), kind: .truncated, summary: "truncated at byte offset 17"),
        Refusal(name: "cut off in a string", bytes: Array(#"{"results": [{"id": "OR"#.utf8), kind: .truncated, summary: "truncated at byte offset 20"),
        Refusal(name: "cut off in a literal", bytes: Array(#"[tru"#.utf8), kind: .truncated, summary: "truncated at byte offset 4"),
        Refusal(name: "an HTML error page", bytes: Array("<!DOCTYPE html><html><body>Bad gateway</body></html>".utf8), kind: .notJSON,
                summary: "not JSON at all (The body does not start like JSON ('<'))"),
        Refusal(name: "an empty body", bytes: [], kind: .notJSON, summary: "not JSON at all"),
        Refusal(name: "white space only", bytes: Array(" \n ".utf8), kind: .notJSON, summary: "not JSON at all (The body is empty"),
        Refusal(name: "plain text", bytes: Array("Service unavailable".utf8), kind: .notJSON, summary: "not JSON at all"),
        Refusal(name: "a missing colon", bytes: Array(#"{"a" 1}"#.utf8), kind: .malformed, summary: "malformed JSON at byte offset 5"),
    ]

    @Test(arguments: refusals)
    func everyRefusalSaysWhatItIs(_ refusal: Refusal) {
        let tree = #expect(throws: JSONSyntaxError.self) { try JSONTree.parse(Data(refusal.bytes)) }
        #expect(tree?.kind == refusal.kind)
        #expect(tree?.summary.hasPrefix(refusal.summary) == true, "\(tree?.summary ?? "")")
        // The parsers' decoder refuses the same bytes with the same error.
        do {
            _ = try IngestJSONDecoder().decode(AnyJSON.self, from: refusal.bytes)
            Issue.record("the decoder accepted \(refusal.name)")
        } catch DecodingError.dataCorrupted(let context) {
            #expect(context.underlyingError as? JSONSyntaxError == tree)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    static let surrogates: [(String, String)] = [
        (#""Lone \ud83d surrogate""#, "Lone \u{FFFD} surrogate"),
        (#""\udc00""#, "\u{FFFD}"),
        (#""\ud800""#, "\u{FFFD}"),
        (#""\ud800\u0041""#, "\u{FFFD}A"),
        (#""\ud800\ud83d\ude00 pair after""#, "\u{FFFD}😀 pair after"),
        (#""end \udbff""#, "end \u{FFFD}"),
        (#""\ud83d\ude00 still a pair""#, "😀 still a pair"),
    ]

    @Test(arguments: surrogates)
    func loneSurrogatesReadAsReplacementCharacter(_ json: String, _ expected: String) throws {
        let notes = RunNotes()
        let (tree, decoded) = try RunNotes.$current.withValue(notes) {
            (try JSONTree.parse(Data(json.utf8)), try IngestJSONDecoder().decode(String.self, from: Data(json.utf8)))
        }
        #expect(tree.string == expected)
        #expect(decoded == expected)
        let lone = expected.contains("\u{FFFD}")
        #expect(notes.notices.count == (lone ? 1 : 0), "\(notes.notices)")
        if lone { #expect(notes.notices.first?.contains("lone surrogate escape(s) read as U+FFFD") == true) }
    }

    @Test func aLoneSurrogateInAKeyOrDeepInsideIsReadToo() throws {
        let json = Data(#"{"results": [{"na\udc01me": "x", "name": "Lone \ud83d surrogate"}]}"#.utf8)
        let tree = try JSONTree.parse(json)
        #expect(tree["results"]?[0]?["name"]?.string == "Lone \u{FFFD} surrogate")
        #expect(tree["results"]?[0]?["na\u{FFFD}me"]?.string == "x")
    }

    /// The toolkit's tree and the parsers' decoder accept exactly the same documents, prefixes and mutations included.
    @Test func treeAndDecoderAcceptTheSameDocuments() {
        var generator = JSONDocumentGenerator(seed: 11)
        for _ in 0..<80 {
            let bytes = Array(generator.value(depth: 4).utf8)
            var variants = [bytes]
            for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 15)) { variants.append(Array(bytes[0..<length])) }
            for _ in 0..<10 where !bytes.isEmpty {
                var mutated = bytes
                mutated[generator.int(0...bytes.count - 1)] = generator.pick([0x00, 0x22, 0x5C, 0x2C, 0x7D, 0x5D, 0x80, 0xFF, 0x75])
                variants.append(mutated)
            }
            for variant in variants {
                let tree = Result { try JSONTree.parse(Data(variant)) }
                let decoded = Result { try IngestJSONDecoder().decode(AnyJSON.self, from: variant) }
                switch (tree, decoded) {
                case (.success, .success), (.failure, .failure): break
                default: Issue.record("tree and decoder disagree on \(String(decoding: variant, as: UTF8.self))")
                }
            }
        }
    }
}
