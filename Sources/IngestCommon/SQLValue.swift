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
    /// Exact digits of any length (see `ExactDecimal`).
    case numeric(ExactDecimal)
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
        case .numeric(let d): return d.text
        case .date(let d): return d.description
        case .timestamp(let t): return t.description
        }
    }
}

/// Exact decimal text: never goes through a binary float, never rounds to `Decimal`'s 38 digits silently.
public enum DecimalText {
    /// Canonical form of a decimal: no exponent, no trailing zeros after the point, `-0` is `0`.
    public static func canonical(_ value: Decimal) -> String {
        ExactDecimal(value).text
    }

    /// Canonical form of an exact decimal (its `text`).
    public static func canonical(_ value: ExactDecimal) -> String { value.text }

    /// Parses a plain decimal literal (`-12.50`, `3`, `1e3`) exactly; `nil` when it is not one, or when
    /// `Decimal` cannot hold it without rounding (more than 38 digits): read those with `ExactDecimal`.
    public static func parse(_ text: String) -> Decimal? {
        // Most amounts are plain JSON-style numbers: read them from their digits, without Foundation's parser.
        if let exact = JSONNumberText.decimal(text) { return exact }
        return exactDecimal(text.trimmingCharacters(in: .whitespaces))
    }

    /// `Decimal(string:)` kept only when it holds every digit of `text`.
    static func exactDecimal(_ text: String) -> Decimal? {
        guard let exact = ExactDecimal(text), exact.text != "NaN" else { return nil }
        return exact.decimal
    }
}
