import Foundation
import IngestCommon
import Testing

/// IngestJSONDecoder against Foundation's JSONDecoder: the same values on every
/// generated document, the same kind of error where the types do not fit, and
/// on malformed input an error with a byte offset, never a crash.
@Suite struct JSONDifferentialTests {
    /// Both decoders' outcome for one document, comparable.
    enum Outcome<T: Equatable>: Equatable {
        case value(T)
        case failure(kind: String, path: [String])

        init(_ body: () throws -> T) {
            do {
                self = .value(try body())
            } catch let error as DecodingError {
                switch error {
                case .typeMismatch(_, let context): self = .failure(kind: "typeMismatch", path: Self.path(context))
                case .valueNotFound(_, let context): self = .failure(kind: "valueNotFound", path: Self.path(context))
                case .keyNotFound(let key, let context):
                    self = .failure(kind: "keyNotFound", path: Self.path(context) + [key.stringValue])
                // Foundation leaves the coding path empty for a number that does not fit; ours names it.
                case .dataCorrupted: self = .failure(kind: "dataCorrupted", path: [])
                @unknown default: self = .failure(kind: "unknown", path: [])
                }
            } catch {
                self = .failure(kind: "other \(error)", path: [])
            }
        }

        static func path(_ context: DecodingError.Context) -> [String] {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
        }
    }

    func compare<T: Decodable & Equatable>(_ type: T.Type, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let data = Data(text.utf8)
        let ours = Outcome { try IngestJSONDecoder().decode(type, from: data) }
        let foundation = Outcome { try JSONDecoder().decode(type, from: data) }
        #expect(ours == foundation, "document: \(text)", sourceLocation: sourceLocation)
    }

    @Test func generatedDocumentsDecodeAlike() {
        var generator = JSONDocumentGenerator(seed: 20_261_127)
        for _ in 0..<1_500 {
            let document = generator.whitespace() + generator.value(depth: 5) + generator.whitespace()
            compare(AnyJSON.self, document)
            compare([String: AnyJSON].self, document)
            compare([AnyJSON].self, document)
            compare(Record.self, document)
        }
    }

    @Test func generatedRecordsDecodeAlike() {
        var generator = JSONDocumentGenerator(seed: 42)
        for _ in 0..<1_500 {
            let records = (0..<generator.int(0...4)).map { _ in record(&generator) }
            compare([Record].self, "[\(records.joined(separator: ","))]")
            compare([HandDecoded].self, "[\((0..<generator.int(0...3)).map { _ in handDecoded(&generator) }.joined(separator: ","))]")
        }
    }

    /// A record that mostly fits `Record`; about one in ten has a wrong type, a null or a missing key somewhere.
    func record(_ g: inout JSONDocumentGenerator) -> String {
        func maybe(_ value: String) -> String { g.chance(3) ? g.value(depth: 1) : value }
        var members: [(String, String)] = [
            ("id", maybe(String(Int64.random(in: Int64.min...Int64.max, using: &g)))),
            ("name", maybe(g.string())),
            ("score", maybe(g.number())),
            ("flag", maybe(g.chance(50) ? "true" : "false")),
            ("tags", maybe(g.array(depth: 1) { $0.string() })),
            ("optionals", maybe(g.array(depth: 1) { $0.chance(30) ? "null" : String($0.int(-99...99)) })),
        ]
        if g.chance(70) { members.append(("note", g.chance(30) ? "null" : g.string())) }
        if g.chance(70) { members.append(("count", g.chance(30) ? "null" : g.pick(["0", "-5", "1e3", "2.0", "7", "9223372036854775807"]))) }
        if g.chance(50) { members.append(("small", g.pick(["127", "-128", "128", "1", "null"]))) }
        if g.chance(50) { members.append(("unsigned", g.pick(["18446744073709551615", "0", "-1", "-0", "42"]))) }
        if g.chance(60) {
            let keys = (0..<g.int(0...3)).map { "\"k\($0)\": \(g.int(-9...9))" }
            members.append(("scores", "{\(keys.joined(separator: ","))}"))
        }
        if g.chance(60) {
            members.append(("child", g.object([("label", g.string()), ("values", g.array(depth: 1) { $0.number() })])))
        }
        if g.chance(40) { members.append(("matrix", g.array(depth: 2) { $0.array(depth: 1) { String($0.int(0...9)) } })) }
        if g.chance(50) { members.append(("created_at", "\"2025-01-0\(g.int(1...9))T12:00:00Z\"")) }
        if g.chance(3) { members.removeFirst() }
        return g.object(members)
    }

    func handDecoded(_ g: inout JSONDocumentGenerator) -> String {
        var members: [(String, String)] = [
            ("list", "[\(g.chance(30) ? "null" : "0"), \((0..<g.int(0...3)).map { String($0) }.joined(separator: ","))]".replacingOccurrences(of: ", ]", with: "]")),
            ("nested", g.chance(50) ? "{\"name\": \(g.string())}" : "{\"name\": null}"),
            ("text", g.chance(50) ? g.string() : "null"),
        ]
        if g.chance(50) { members.append(("value", g.chance(50) ? "null" : g.number())) }
        return g.object(members)
    }

    @Test func numbersDecodeAlike() throws {
        for number in JSONDocumentGenerator.interestingNumbers + ["12345678901234567.89", "1e400", "-1e400", "1e-400", "0e0", "-0.0e-0", "1.5", "-128", "255", "256"] {
            compare(Double.self, number)
            compare(Float.self, number)
            compare([String: Double].self, "{\"v\": \(number)}")
            if number == "12345678901234567.89" || number == "1e-400" {
                // Foundation reads a fractional number for an integer through a Double and truncates
                // (12345678901234567, 0): a rounding artifact. Ours refuses a number that is not an integer.
                #expect(throws: DecodingError.self) { try IngestJSONDecoder().decode(Int64.self, from: Data(number.utf8)) }
                #expect(throws: DecodingError.self) { try IngestJSONDecoder().decode(UInt64.self, from: Data(number.utf8)) }
                #expect(throws: DecodingError.self) { try IngestJSONDecoder().decode(Int.self, from: Data(number.utf8)) }
                #expect(throws: DecodingError.self) { try IngestJSONDecoder().decode(Int8.self, from: Data(number.utf8)) }
            } else {
                compare(Int8.self, number)
                compare(UInt8.self, number)
                compare(Int64.self, number)
                compare(UInt64.self, number)
                compare(Int.self, number)
            }
        }
    }

    /// Decimals are read from the number's text, so every digit survives. Foundation's
    /// JSONDecoder on Linux may pass some through a Double (0.1 → 0.1000000000000000512),
    /// a rounding artifact, so exactness is asserted against `Decimal(string:)` instead.
    @Test func decimalsAreExact() throws {
        let cases = ["0", "-0", "0.1", "0.2", "12345678901234567.89", "1e5", "1E+2", "-1.5e-3", "9223372036854775807",
                     "-9223372036854775808", "100.00", "99999.99", "0.000001", "123456789012345678901234567890",
                     "1234567890.1234567890123456789", "3.141592653589793238462643383279", "1e-120", "1e127", "-0.0"]
        for text in cases {
            let ours = try IngestJSONDecoder().decode(Decimal.self, from: Data(text.utf8))
            let expected = try #require(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")))
            #expect(ours == expected, "\(text): \(ours) != \(expected)")
            let inArray = try IngestJSONDecoder().decode([Decimal?].self, from: Data("[\(text), null]".utf8))
            #expect(inArray == [expected, nil])
        }
        #expect(try IngestJSONDecoder().decode(Decimal.self, from: Data("0.1".utf8)).description == "0.1")
        #expect(try IngestJSONDecoder().decode(Decimal.self, from: Data("12345678901234567.89".utf8)).description == "12345678901234567.89")
    }

    @Test func stringsDecodeAlike() {
        for text in JSONDocumentGenerator.interestingStrings {
            compare(String.self, "\"\(text)\"")
            compare([String: String].self, "{\"\(text)\": \"\(text)\"}")
        }
        compare(String.self, "\"\(String(repeating: "long text é😀 ", count: 200))\"")
    }

    @Test func foundationSpecialTypesDecodeAlike() {
        compare(URL.self, "\"https://example.com/a?b=c\"")
        compare(Data.self, "\"aGVsbG8gd29ybGQ=\"")
        compare(Data.self, "\"not base64!\"")
        compare(Date.self, "12345.5")
        compare([String: Int].self, "{\"a\": 1, \"b\": null}")
        compare([String: Int].self, "\u{FEFF}{\"a\": 1}")
        compare([Int: String].self, "{\"1\": \"a\", \"x\": \"b\"}")
        compare(Bool?.self, "null")
        compare(Int.self, "null")
        compare(String.self, "1")
    }
}
