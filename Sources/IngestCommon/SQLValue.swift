import Foundation

/// One typed value of a silver row, as the warehouse stores it.
///
/// Each case has one canonical text form, used both for the checksum and for
/// sending values to a database, so the same row hashes the same everywhere.
public enum SQLValue: Sendable, Hashable {
    case null
    case text(String)
    case integer(Int64)
    case boolean(Bool)
    case numeric(Decimal)
    case date(CalendarDate)
    case timestamp(LocalTimestamp)
    case jsonb(String)

    /// The canonical text of the value; `nil` for SQL NULL.
    public var canonicalText: String? {
        switch self {
        case .null: return nil
        case .text(let s), .jsonb(let s): return s
        case .integer(let i): return String(i)
        case .boolean(let b): return b ? "true" : "false"
        case .numeric(let d): return DecimalText.canonical(d)
        case .date(let d): return d.description
        case .timestamp(let t): return t.description
        }
    }
}

/// Exact decimal text: never goes through a binary float.
public enum DecimalText {
    /// Canonical form of a decimal: no exponent, no trailing zeros after the point, `-0` is `0`.
    public static func canonical(_ value: Decimal) -> String {
        var text = value.description
        if text.contains("."), !text.contains("e"), !text.contains("E") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }

    /// Parses a plain decimal literal (`-12.50`, `3`, `1e3`) exactly; `nil` when it is not one.
    public static func parse(_ text: String) -> Decimal? {
        // Most amounts are plain JSON-style numbers: read them from their digits, without Foundation's parser.
        if let exact = JSONNumberText.decimal(text) { return exact }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.utf8.allSatisfy({ byte in
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
                || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
        }) else { return nil }
        guard let value = Decimal(string: trimmed, locale: Locale(identifier: "en_US_POSIX")), !value.isNaN else {
            return nil
        }
        return value
    }
}
