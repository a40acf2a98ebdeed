import Foundation

/// A decimal number kept as its exact digits, of any length a `numeric` column stores
/// (`numeric` columns of a row type use it; `Decimal` holds at most 38 digits).
///
/// It reads JSON numbers and decimal strings alike (`-12.50`, `+3`, `.5`, `1e-3`,
/// `115792089237316195423570985008687907853269984665640564039457584007913129639935`)
/// and keeps one canonical text: no exponent, no leading zeros, no trailing zeros
/// after the point, `0` for any zero. That text is what the checksum hashes and what
/// both warehouses store, so every digit counts and nothing is rounded.
///
/// The range is PostgreSQL's `numeric`: at most 131,072 digits before the point and
/// 16,383 after; text outside it, or that is not a number, is refused (`nil`), never rounded.
public struct ExactDecimal: Sendable, Hashable, CustomStringConvertible {
    /// The canonical text, e.g. `-12.5`.
    public let text: String

    /// Digits PostgreSQL's `numeric` keeps before the decimal point.
    public static let maxIntegerDigits = 131_072
    /// Digits PostgreSQL's `numeric` keeps after the decimal point.
    public static let maxFractionDigits = 16_383

    private init(canonical: String) { self.text = canonical }

    /// Parses a decimal literal (sign, digits with at most one point, optional exponent;
    /// surrounding white space is ignored); `nil` when it is not one or is out of range.
    public init?(_ literal: String) {
        guard let text = Self.canonical(literal.trimmingCharacters(in: .whitespaces)) else { return nil }
        self.text = text
    }

    /// The exact value of a `Decimal` (NaN stays `NaN`, which PostgreSQL's numeric also stores).
    public init(_ value: Decimal) {
        if value.isNaN {
            self.text = "NaN"
        } else {
            self.text = Self.canonical(value.description) ?? "NaN"
        }
    }

    public init(_ value: Int) { self.text = String(value) }

    /// The value as a `Decimal` when it fits one exactly (at most 38 significant digits); `nil` otherwise.
    public var decimal: Decimal? {
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), !value.isNaN || text == "NaN" else { return nil }
        return Self.canonical(value.description) == text ? value : nil
    }

    /// How many digits the canonical text has (before and after the point).
    public var digitCount: Int { text.utf8.filter { $0 &- UInt8(ascii: "0") < 10 }.count }

    public var description: String { text }

    /// The canonical text of a decimal literal, or `nil`.
    static func canonical(_ literal: String) -> String? {
        let bytes = Array(literal.utf8)
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var digits: [UInt8] = []
        var fractionDigits = 0
        var sawPoint = false
        var sawDigit = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte &- UInt8(ascii: "0") < 10 {
                sawDigit = true
                if !digits.isEmpty || byte != UInt8(ascii: "0") { digits.append(byte) }
                if sawPoint { fractionDigits += 1 }
                // Leading zeros after the point still move it: keep their count in `fractionDigits`.
            } else if byte == UInt8(ascii: "."), !sawPoint {
                sawPoint = true
            } else {
                break
            }
            index += 1
        }
        guard sawDigit else { return nil }
        var exponent = 0
        if index < bytes.count {
            guard bytes[index] | 0x20 == UInt8(ascii: "e") else { return nil }
            index += 1
            var exponentNegative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var sawExponentDigit = false
            while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 {
                exponent = min(exponent * 10 + Int(bytes[index] &- UInt8(ascii: "0")), 10_000_000)
                sawExponentDigit = true
                index += 1
            }
            guard sawExponentDigit else { return nil }
            if exponentNegative { exponent = -exponent }
        }
        guard index == bytes.count else { return nil }
        // `digits` has no leading zeros; the value is digits × 10^(exponent − fractionDigits).
        var scale = fractionDigits - exponent  // digits after the point
        while scale > 0, digits.last == UInt8(ascii: "0") {
            digits.removeLast()
            scale -= 1
        }
        if digits.isEmpty { return "0" }
        let integerDigits = digits.count - scale
        guard integerDigits <= maxIntegerDigits, scale <= maxFractionDigits else { return nil }
        var out: [UInt8] = negative ? [UInt8(ascii: "-")] : []
        if scale <= 0 {
            out += digits
            out += repeatElement(UInt8(ascii: "0"), count: -scale)
        } else if integerDigits > 0 {
            out += digits[..<integerDigits]
            out.append(UInt8(ascii: "."))
            out += digits[integerDigits...]
        } else {
            out += [UInt8(ascii: "0"), UInt8(ascii: ".")]
            out += repeatElement(UInt8(ascii: "0"), count: -integerDigits)
            out += digits
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension ExactDecimal: Decodable {
    /// Reads a JSON number from its text (with `IngestJSONDecoder`, every digit) or a decimal string.
    /// Other decoders give their `Decimal` for a number, which is as exact as that decoder is.
    public init(from decoder: any Decoder) throws {
        if let json = decoder as? JSONValueDecoder, let number = json.numberText(at: json.current) {
            guard let value = ExactDecimal(number) else {
                throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription:
                    "Number \(number.prefix(40))\(number.count > 40 ? "…" : "") is outside a numeric column's range (131,072 digits before the point, 16,383 after)."))
            }
            self = value
            return
        }
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let value = ExactDecimal(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription:
                    "\"\(VisibleText.escaped(String(text.prefix(40))))\(text.count > 40 ? "…" : "")\" is not a decimal number (digits, one point, optional exponent) within a numeric column's range")
            }
            self = value
        } else {
            self.init(try container.decode(Decimal.self))
        }
    }
}

extension ExactDecimal: Encodable {
    /// Encodes the canonical text as a string (a JSON number would be read back through a binary float by many readers).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
