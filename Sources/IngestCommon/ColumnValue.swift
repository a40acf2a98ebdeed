import Foundation

/// A Swift type that a silver column can hold. Its SQL type follows from the
/// Swift type, so a row field and its column can never disagree.
public protocol ColumnValue: Sendable {
    static var columnType: ColumnType { get }
    /// Whether the type admits NULL (only `Optional` does).
    static var isOptional: Bool { get }
    var sqlValue: SQLValue { get }
}

extension ColumnValue {
    public static var isOptional: Bool { false }
}

extension String: ColumnValue {
    public static var columnType: ColumnType { .text }
    public var sqlValue: SQLValue { .text(self) }
}

extension Int: ColumnValue {
    public static var columnType: ColumnType { .integer }
    public var sqlValue: SQLValue { .integer(Int64(self)) }
}

extension Int64: ColumnValue {
    public static var columnType: ColumnType { .integer }
    public var sqlValue: SQLValue { .integer(self) }
}

extension Bool: ColumnValue {
    public static var columnType: ColumnType { .boolean }
    public var sqlValue: SQLValue { .boolean(self) }
}

extension Decimal: ColumnValue {
    public static var columnType: ColumnType { .numeric }
    public var sqlValue: SQLValue { .numeric(ExactDecimal(self)) }
}

/// Numbers longer than `Decimal`'s 38 digits: declare the field `ExactDecimal`.
extension ExactDecimal: ColumnValue {
    public static var columnType: ColumnType { .numeric }
    public var sqlValue: SQLValue { .numeric(self) }
}

extension CalendarDate: ColumnValue {
    public static var columnType: ColumnType { .date }
    public var sqlValue: SQLValue { .date(self) }
}

extension LocalTimestamp: ColumnValue {
    public static var columnType: ColumnType { .timestamp }
    public var sqlValue: SQLValue { .timestamp(self) }
}

/// JSON text for a `jsonb` column, kept as the source wrote it.
public struct JSONText: ColumnValue, Hashable {
    public var text: String
    public init(_ text: String) { self.text = text }
    /// A JSON value as compact text, keys sorted (the same value always gives the same text).
    public init(_ tree: JSONTree) { self.text = String(decoding: tree.data(), as: UTF8.self) }
    public static var columnType: ColumnType { .jsonb }
    public var sqlValue: SQLValue { .jsonb(text) }
}

extension JSONText: Decodable {
    /// Reads any JSON value (an object, an array, a scalar) as its compact text, keys sorted, so a
    /// `Decodable` row can declare a `jsonb` field directly.
    public init(from decoder: any Decoder) throws {
        self.init(try JSONTree(from: decoder))
    }
}

extension Optional: ColumnValue where Wrapped: ColumnValue {
    public static var columnType: ColumnType { Wrapped.columnType }
    public static var isOptional: Bool { true }
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}
