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
        guard let text = Self.canonical(SpaceTrim.trimmed(literal)) else { return nil }
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
        var literal = literal
        return literal.withUTF8 { canonical($0) }
    }

    /// The canonical text of a decimal literal's UTF-8 bytes, or `nil`; written straight into the string.
    static func canonical(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let count = bytes.count
        var index = 0
        var negative = false
        if index < count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        // The significant digits run from the first non-zero digit to the end of the mantissa, the point skipped.
        var firstSignificant = -1
        var significant = 0
        var fractionDigits = 0  // every digit after the point, leading zeros included: they still move it
        var sawPoint = false
        var sawDigit = false
        while index < count {
            let byte = bytes[index]
            if byte &- UInt8(ascii: "0") < 10 {
                sawDigit = true
                if firstSignificant < 0, byte != UInt8(ascii: "0") { firstSignificant = index }
                if firstSignificant >= 0 { significant += 1 }
                if sawPoint { fractionDigits += 1 }
            } else if byte == UInt8(ascii: "."), !sawPoint {
                sawPoint = true
            } else {
                break
            }
            index += 1
        }
        guard sawDigit else { return nil }
        let mantissaEnd = index
        var exponent = 0
        if index < count {
            guard bytes[index] | 0x20 == UInt8(ascii: "e") else { return nil }
            index += 1
            var exponentNegative = false
            if index < count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var sawExponentDigit = false
            while index < count, bytes[index] &- UInt8(ascii: "0") < 10 {
                exponent = min(exponent * 10 + Int(bytes[index] &- UInt8(ascii: "0")), 10_000_000)
                sawExponentDigit = true
                index += 1
            }
            guard sawExponentDigit else { return nil }
            if exponentNegative { exponent = -exponent }
        }
        guard index == count else { return nil }
        // The value is digits × 10^(exponent − fractionDigits); trailing zeros after the point go.
        var scale = fractionDigits - exponent  // digits after the point
        var last = mantissaEnd - 1
        while scale > 0, significant > 0 {
            if bytes[last] == UInt8(ascii: ".") {
                last -= 1
                continue
            }
            guard bytes[last] == UInt8(ascii: "0") else { break }
            significant -= 1
            scale -= 1
            last -= 1
        }
        if significant == 0 { return "0" }
        let integerDigits = significant - scale
        guard integerDigits <= maxIntegerDigits, scale <= maxFractionDigits else { return nil }
        let length = (negative ? 1 : 0) + significant + (scale <= 0 ? -scale : integerDigits > 0 ? 1 : 2 - integerDigits)
        return String(unsafeUninitializedCapacity: length) { out in
            var written = 0
            func put(_ byte: UInt8) {
                out[written] = byte
                written += 1
            }
            func zeros(_ n: Int) { for _ in 0..<n { put(UInt8(ascii: "0")) } }
            var source = firstSignificant
            /// Copies the next `n` significant digits, skipping the point.
            func digits(_ n: Int) {
                for _ in 0..<n {
                    if bytes[source] == UInt8(ascii: ".") { source += 1 }
                    put(bytes[source])
                    source += 1
                }
            }
            if negative { put(UInt8(ascii: "-")) }
            if scale <= 0 {
                digits(significant)
                zeros(-scale)
            } else if integerDigits > 0 {
                digits(integerDigits)
                put(UInt8(ascii: "."))
                digits(scale)
            } else {
                put(UInt8(ascii: "0"))
                put(UInt8(ascii: "."))
                zeros(-integerDigits)
                digits(significant)
            }
            return written
        }
    }
}

extension ExactDecimal: Decodable {
    /// Reads a JSON number from its text (with `IngestJSONDecoder`, every digit) or a decimal string.
    /// Other decoders give their `Decimal` for a number, which is as exact as that decoder is.
    public init(from decoder: any Decoder) throws {
        if let json = decoder as? JSONValueDecoder, let number = json.numberBytes(at: json.current) {
            // A JSON number has no white space and a validated grammar: its bytes are read as they are.
            if let text = Self.canonical(number) {
                self.init(canonical: text)
                return
            }
            let number = String(decoding: number, as: UTF8.self)
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
