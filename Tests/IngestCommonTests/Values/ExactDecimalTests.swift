import Foundation
import IngestCommon
import Testing

/// Numbers of every width stay exact: `ExactDecimal` keeps every digit, and `Decimal`
/// (38 digits) refuses what it would round instead of rounding it silently.
@Suite struct ExactDecimalTests {
    /// 1 to 200 digits, whole, fractional, negative, tiny, with exponents: read from text and from JSON
    /// (number and string), the canonical text is the expected one digit for digit.
    @Test func everyWidthIsExactFromTextAndJSON() throws {
        for width in 1...200 {
            let digits = String((0..<width).map { Character(String(($0 * 3 + width) % 9 + 1)) })
            let split = width / 2
            let fraction = width == 1 ? digits + ".5" : String(digits.prefix(split)) + "." + String(digits.dropFirst(split))
            let cases: [(String, String)] = [
                (digits, digits), ("-" + digits, "-" + digits), (fraction, fraction), ("-" + fraction, "-" + fraction),
                ("0." + digits, "0." + digits), (digits + "e2", digits + "00"), (digits + "E+0", digits),
                (digits + "e-\(width)", "0." + digits), ("-" + digits + "e-\(width + 3)", "-0.000" + digits),
                (digits + "00.000", digits + "00"), ("0000" + digits, digits),
            ]
            for (input, canonical) in cases {
                #expect(ExactDecimal(input)?.text == canonical, "\(input)")
                if !input.hasPrefix("00") {  // JSON forbids leading zeros
                    let fromNumber = try IngestJSONDecoder().decode([ExactDecimal].self, from: Data("[\(input)]".utf8))
                    #expect(fromNumber.first?.text == canonical, "JSON number \(input)")
                }
                let fromString = try IngestJSONDecoder().decode([ExactDecimal].self, from: Data("[\"\(input)\"]".utf8))
                #expect(fromString.first?.text == canonical, "JSON string \(input)")
                // The checksum hashes the canonical text, so it sees every digit.
                #expect(SQLValue.numeric(ExactDecimal(input)!).canonicalText == canonical)
            }
        }
    }

    @Test func zerosSignsAndForms() {
        let table: [(String, String?)] = [
            ("0", "0"), ("-0", "0"), ("-0.000", "0"), ("0e99", "0"), ("+5", "5"), (".5", "0.5"), ("5.", "5"),
            ("  12.50 ", "12.5"), ("1.5e-3", "0.0015"), ("-1E3", "-1000"), ("100", "100"), ("0.010", "0.01"),
            ("", nil), (".", nil), ("-", nil), ("1e", nil), ("1e+", nil), ("1.2.3", nil), ("12,5", nil), ("abc", nil),
            ("NaN", nil), ("Infinity", nil), ("1_000", nil), ("0x10", nil), ("--1", nil), ("1e5.5", nil),
        ]
        for (input, canonical) in table { #expect(ExactDecimal(input)?.text == canonical, "\(input)") }
    }

    /// PostgreSQL's numeric range: 131,072 digits before the point, 16,383 after; beyond is refused, not rounded.
    @Test func theRangeIsPostgreSQLsNumeric() {
        #expect(ExactDecimal("1e131071")?.text.count == 131_072)
        #expect(ExactDecimal("1e131072") == nil)
        #expect(ExactDecimal("1e-16383")?.text.count == 16_385)
        #expect(ExactDecimal("1e-16384") == nil)
        #expect(ExactDecimal("1e999999999999") == nil)
        #expect(ExactDecimal("0e999999999999")?.text == "0")
    }

    /// `Decimal` never rounds silently: beyond what it holds, the JSON decoder and `DecimalText.parse` refuse.
    @Test func decimalRefusesWhatItWouldRound() throws {
        let long = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        #expect(throws: DecodingError.self) { try IngestJSONDecoder().decode(Decimal.self, from: Data(long.utf8)) }
        #expect(DecimalText.parse(long) == nil)
        for width in 1...38 {
            let digits = String(repeating: "9", count: width)
            #expect(DecimalText.parse(digits).map(DecimalText.canonical) == digits, "\(width) digits fit a Decimal")
            #expect(try IngestJSONDecoder().decode(Decimal.self, from: Data(digits.utf8)).description == digits)
        }
        #expect(ExactDecimal(long)?.decimal == nil)
        #expect(ExactDecimal("12.5")?.decimal == Decimal(string: "12.5"))
        #expect(ExactDecimal(Decimal(string: "952.0")!).text == "952")
    }
}
