import Foundation
import IngestCommon
import Testing

@Suite struct ChecksumTests {
    @Test func canonicalFormIsExplicitAndUnambiguous() {
        let form = Checksum.canonicalForm([("id", .text("a=b\n")), ("amount", .numeric(ExactDecimal(Decimal(string: "12.50")!))), ("note", .null)])
        #expect(form == "id=4:a=b\n\namount=4:12.5\nnote=~\n")
    }

    @Test func numbersHashByValueNotByFormatting() {
        let a = Checksum.sha256Hex([("amount", .numeric(ExactDecimal(Decimal(string: "952.0")!)))])
        let b = Checksum.sha256Hex([("amount", .numeric(ExactDecimal(Decimal(string: "952")!)))])
        #expect(a == b)
    }

    @Test func nullDiffersFromEmptyText() {
        #expect(Checksum.sha256Hex([("x", .null)]) != Checksum.sha256Hex([("x", .text(""))]))
    }

    @Test func valuesCannotLeakAcrossFields() {
        let a = Checksum.sha256Hex([("a", .text("1")), ("b", .text("2"))])
        let b = Checksum.sha256Hex([("a", .text("1\nb=1:2")), ("b", .null)])
        #expect(a != b)
    }

    @Test func knownAnswer() {
        // sha256 of "id=3:abc\n", fixed so the canonical form can never drift silently.
        #expect(Checksum.sha256Hex([("id", .text("abc"))]) == Checksum.sha256Hex(Array("id=3:abc\n".utf8)))
        #expect(Checksum.sha256Hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

@Suite struct ValueTests {
    @Test func decimalsStayExact() {
        #expect(DecimalText.parse("0.1").map(DecimalText.canonical) == "0.1")
        #expect(DecimalText.parse("12345678901234567890.123456789").map(DecimalText.canonical) == "12345678901234567890.123456789")
        #expect(DecimalText.parse("-0.0").map(DecimalText.canonical) == "0")
        #expect(DecimalText.parse("12,5") == nil)
        #expect(DecimalText.parse("abc") == nil)
    }

    @Test func datesFromISOTimestamps() {
        #expect(CalendarDate(iso: "2025-03-05T10:22:00Z")?.description == "2025-03-05")
        #expect(CalendarDate(iso: "2025-03-05")?.description == "2025-03-05")
        #expect(CalendarDate(iso: "2025-02-30") == nil)
        #expect(CalendarDate(iso: "05-03-2025") == nil)
        #expect(LocalTimestamp(iso: "2025-03-05T10:22:00.5+01:00")?.description == "2025-03-05 09:22:00.500000")
    }

    @Test func dotEnvFiles() throws {
        let values = try DotEnv.parse("""
            # comment
            export A=1
            B = "two words"
            C='x#y'
            D=plain # trailing comment
            """)
        #expect(values == ["A": "1", "B": "two words", "C": "x#y", "D": "plain"])
        #expect(throws: IngestError.self) { try DotEnv.parse("NOT A PAIR") }
    }

    @Test func environmentWinsOverDotEnv() throws {
        let folder = NSTemporaryDirectory() + "dotenv-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "X=file\nY=file\n".write(toFile: folder + "/.env", atomically: true, encoding: .utf8)
        let settings = try Settings.load(directory: folder, environment: ["X": "env"])
        #expect(settings["X"] == "env")
        #expect(settings["Y"] == "file")
    }

    @Test func secretsAreRedacted() {
        let redactor = Redactor()
        redactor.register("s3cr3t-token")
        #expect(redactor.redact("Bearer s3cr3t-token failed") == "Bearer *** failed")
        #expect(Redactor.shared.redactURL("https://u:pw@h.test/x?api_key=abc&page=2").contains("api_key=***"))
        #expect(!Redactor.shared.redactURL("https://u:pw@h.test/x").contains("pw"))
    }
}

/// `CanonicalFormWriter` (what `RowEncoder` uses for every row) writes and hashes exactly the bytes
/// `Checksum.canonicalForm` defines, on awkward values of every kind.
@Suite struct CanonicalFormWriterTests {
    @Test func writesTheDefinedBytesAndHash() throws {
        let values: [SQLValue] = [
            .null, .text(""), .text("a=b\n~:5"), .text("é😀\u{0}\t\\"), .text(String(repeating: "long ", count: 300)),
            .integer(0), .integer(7), .integer(-42), .integer(Int64.max), .integer(Int64.min), .boolean(true), .boolean(false),
            .numeric(try #require(ExactDecimal("-0.000100"))), .numeric(try #require(ExactDecimal("1e40"))),
            .numeric(ExactDecimal(Decimal(string: "952.0")!)), .numeric(try #require(ExactDecimal(String(repeating: "9", count: 60) + ".5"))),
            .date(try #require(CalendarDate(year: 1, month: 1, day: 1))), .date(try #require(CalendarDate(year: 9999, month: 12, day: 31))),
            .date(try #require(CalendarDate(iso: "2024-03-10T23:30:00-05:00"))),
            .timestamp(try #require(LocalTimestamp(iso: "2025-03-05T10:22:00.5+01:00"))), .jsonb(#"{"a": [1, "x\u0000"]}"#),
        ]
        for count in [1, 2, values.count] {
            for start in values.indices {
                let fields = (0..<count).map { offset in
                    (name: ["id", "amount", "a_much_longer_column_name", "é"][(start + offset) % 4], value: values[(start + offset) % values.count])
                }
                var writer = CanonicalFormWriter()
                var lengths: [Int?] = []
                for field in fields { lengths.append(writer.append(name: field.name, field.value)) }
                #expect(writer.bytes == Array(Checksum.canonicalForm(fields).utf8), "\(fields)")
                #expect(writer.sha256Hex() == Checksum.sha256Hex(fields))
                #expect(lengths == fields.map { $0.value.canonicalText?.utf8.count })
            }
        }
    }
}
