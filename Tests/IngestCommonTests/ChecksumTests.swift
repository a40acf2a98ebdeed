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
