import Foundation

/// A seeded generator of JSON texts for the differential tests: reproducible
/// from the seed, so a failure names the document that caused it.
struct JSONDocumentGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// SplitMix64.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Numbers worth comparing: bounds, signed zero, decimals that are inexact in binary.
    static let interestingNumbers = [
        "0", "-0", "1", "-1", "0.1", "0.2", "0.30000000000000004", "12345678901234567.00", "1e5", "1E+2", "-1.5e-3",
        "2.5E-10", "9223372036854775807", "-9223372036854775808", "4294967296", "1.0", "100.00", "0.000001",
        "1.7976931348623157e308", "5e-324", "2.2250738585072014e-308", "123456.789", "99999.99", "-0.0",
        "3.141592653589793", "1e-7", "18446744073709551615", "1e22", "1e23",
    ]

    /// Strings with unicode (two- to four-byte UTF-8), escapes of every kind and surrogate pairs.
    static let interestingStrings = [
        #""#, #"plain"#, #"é ü ß"#, #"日本語"#, #"😀 emoji"#, #"tab\there"#, #"quote \" and backslash \\"#,
        #"slash \/ escaped"#, #"\u00e9 escaped"#, #"\ud83d\ude00 pair"#, #"ctl \u0001\u001f"#, #"\b\f\n\r\t"#,
        #"\u0000 nul"#, #"mixed é \u20AC €"#, #"\uFFFF last BMP"#, #"\uDBFF\uDFFF last astral"#, "DEL \u{7F}",
        "𝄞 clef", "  padded  ", "ORD-000123",
    ]

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }
    mutating func pick<T>(_ values: [T]) -> T { values[int(0...values.count - 1)] }

    mutating func whitespace() -> String { chance(70) ? "" : pick([" ", "\n", "\t", "\r\n", "  "]) }

    mutating func string() -> String {
        if chance(60) { return "\"\(pick(Self.interestingStrings))\"" }
        let letters = Array("abcxyzAZ09 _-é😀")
        return "\"" + String((0..<int(0...12)).map { _ in pick(letters) }) + "\""
    }

    mutating func number() -> String {
        switch int(0...3) {
        case 0: return pick(Self.interestingNumbers)
        case 1: return String(Int64.random(in: Int64.min...Int64.max, using: &self))
        case 2: return String(int(-1000...1000))
        default:
            let cents = int(0...10_000_000)
            return "\(chance(20) ? "-" : "")\(cents / 100).\(String(format: "%02d", cents % 100))"
        }
    }

    /// Any JSON value, nested at most `depth` levels; object keys are unique.
    mutating func value(depth: Int) -> String {
        switch int(depth > 0 ? 0...7 : 0...4) {
        case 0: return "null"
        case 1: return chance(50) ? "true" : "false"
        case 2: return number()
        case 3, 4: return string()
        case 5: return array(depth: depth) { $0.value(depth: depth - 1) }
        default:
            var keys = Set<String>()
            while keys.count < int(0...5) { keys.insert(string()) }
            let members = keys.map { "\($0)\(whitespace()):\(whitespace())\(value(depth: depth - 1))" }
            return "{\(whitespace())\(members.joined(separator: ",\(whitespace())"))\(whitespace())}"
        }
    }

    mutating func array(depth: Int, element: (inout JSONDocumentGenerator) -> String) -> String {
        let count = int(0...5)
        var items: [String] = []
        for _ in 0..<count { items.append(element(&self)) }
        return "[\(whitespace())\(items.joined(separator: ",\(whitespace())"))\(whitespace())]"
    }

    /// An object with the given members in random order, plus unknown members that must be ignored.
    mutating func object(_ members: [(String, String)]) -> String {
        var all = members.map { "\"\($0.0)\"\(whitespace()):\(whitespace())\($0.1)" }
        if chance(30) { all.append("\"unknown_\(int(0...9))\": \(value(depth: 2))") }
        all.shuffle(using: &self)
        return "{\(whitespace())\(all.joined(separator: ",\(whitespace())"))\(whitespace())}"
    }
}
