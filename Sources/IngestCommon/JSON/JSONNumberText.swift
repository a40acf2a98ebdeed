import Foundation

/// Reads the validated text of a JSON number as the type a `Decodable` asks for.
///
/// `Decimal` is read from the digits themselves, never through a `Double`, so
/// amounts such as `0.1` or `12345678901234567.89` stay exact.
public enum JSONNumberText {
    /// An integer from digits only (no fraction, no exponent); `nil` when it does not fit `T`.
    static func integer<T: FixedWidthInteger>(_ base: UnsafePointer<UInt8>, start: Int, end: Int, as type: T.Type) -> T? {
        var index = start
        let negative = base[index] == UInt8(ascii: "-")
        if negative {
            guard T.isSigned else { return end - start == 2 && base[end - 1] == UInt8(ascii: "0") ? 0 : nil }
            index += 1
        }
        var value: T = 0
        while index < end {
            let digit = T(truncatingIfNeeded: base[index] &- UInt8(ascii: "0"))
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            value = next
            index += 1
        }
        return value
    }

    /// The exact decimal value of the number's text; `nil` outside `Decimal`'s range.
    static func decimal(_ base: UnsafePointer<UInt8>, start: Int, end: Int) -> Decimal? {
        var index = start
        let negative = base[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var significand: UInt64 = 0
        var digits = 0
        var exponent = 0
        var afterPoint = false
        while index < end {
            let byte = base[index]
            if byte == UInt8(ascii: ".") {
                afterPoint = true
                index += 1
                continue
            }
            guard byte &- UInt8(ascii: "0") < 10 else { break }
            let digit = UInt64(byte &- UInt8(ascii: "0"))
            if significand != 0 || digit != 0 {
                guard digits < 19 else { return slowDecimal(base, start: start, end: end) }
                significand = significand * 10 + digit
                digits += 1
            }
            if afterPoint { exponent -= 1 }
            index += 1
        }
        if index < end {  // exponent
            index += 1
            var exponentNegative = false
            if base[index] == UInt8(ascii: "+") || base[index] == UInt8(ascii: "-") {
                exponentNegative = base[index] == UInt8(ascii: "-")
                index += 1
            }
            var value = 0
            while index < end {
                value = min(value * 10 + Int(base[index] &- UInt8(ascii: "0")), 100_000)
                index += 1
            }
            exponent += exponentNegative ? -value : value
        }
        if significand == 0 { return Decimal.zero }
        guard exponent >= -128, exponent <= 127 else { return slowDecimal(base, start: start, end: end) }
        return Decimal(sign: negative ? .minus : .plus, exponent: exponent, significand: Decimal(significand))
    }

    /// More than 19 significant digits or an extreme exponent: Foundation's text parser, whose result
    /// is kept only when it is exact. `Decimal` holds 38 digits and would round the rest silently:
    /// such a number is refused here (`ExactDecimal` reads it whole).
    private static func slowDecimal(_ base: UnsafePointer<UInt8>, start: Int, end: Int) -> Decimal? {
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self)
        return DecimalText.exactDecimal(text)
    }

    /// A correctly rounded double; `nil` when the number is out of range.
    static func double(_ base: UnsafePointer<UInt8>, start: Int, end: Int, fractional: Bool) -> Double? {
        if !fractional, end - start <= 15, let integer = integer(base, start: start, end: end, as: Int64.self) {
            return integer == 0 && base[start] == UInt8(ascii: "-") ? -0.0 : Double(integer)
        }
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { return nil }
        if value == 0 {  // underflow (1e-400) is refused like JSONDecoder does, not read as zero
            for index in start..<end {
                let byte = base[index]
                if byte | 0x20 == UInt8(ascii: "e") { break }
                if byte &- UInt8(ascii: "1") < 9 { return nil }
            }
        }
        return value
    }

    /// The exact value of text that is a JSON number (`-12.50`, `3`, `1e3`); `nil` for anything else.
    /// Amounts often arrive as strings: this reads them without Foundation's locale-aware parser.
    public static func decimal(_ text: String) -> Decimal? {
        var text = text
        return text.withUTF8 { utf8 in
            guard let base = utf8.baseAddress, isNumber(utf8) else { return nil }
            return decimal(base, start: 0, end: utf8.count)
        }
    }

    /// Whether `bytes` is exactly one number by RFC 8259's grammar.
    static func isNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = bytes.count
        func digits() -> Int {
            let start = index
            while index < count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            return index - start
        }
        if index < count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < count else { return false }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            return false
        }
        if index < count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        }
        if index < count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return false }
        }
        return index == count
    }

    static func text(_ base: UnsafePointer<UInt8>, start: Int, end: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self)
    }
}
