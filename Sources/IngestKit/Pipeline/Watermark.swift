import IngestCommon

/// How far a run got: the largest value of one row field over the rows it loaded, kept in
/// `staging.ingestion_state.watermark` as text and handed to the next run's extractor
/// (`ExtractionContext.lastWatermark`).
///
/// Watermarks compare by their type, not as text: dates and timestamps in time order, integers
/// by value (`9` before `10`), text by its characters. The text form is `description`: a date
/// `YYYY-MM-DD`, a timestamp `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC), an integer in decimal.
public struct Watermark: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The type a watermark compares by.
    public enum Kind: String, Sendable, Hashable {
        case date, timestamp, integer, text
    }

    public let kind: Kind
    /// The value as the ledger stores it.
    public let description: String
    private let order: Order

    private enum Order: Hashable, Comparable {
        case date(CalendarDate)
        case timestamp(LocalTimestamp)
        case integer(Int64)
        case text(String)
    }

    public init(_ date: CalendarDate) { self.init(kind: .date, text: date.description, order: .date(date)) }
    public init(_ timestamp: LocalTimestamp) { self.init(kind: .timestamp, text: timestamp.description, order: .timestamp(timestamp)) }
    public init(_ integer: Int64) { self.init(kind: .integer, text: String(integer), order: .integer(integer)) }
    public init(_ integer: Int) { self.init(Int64(integer)) }
    /// A text watermark: compared by its characters (`"b" > "a"`, but also `"9" > "10"`).
    public init(text: String) { self.init(kind: .text, text: text, order: .text(text)) }

    private init(kind: Kind, text: String, order: Order) {
        self.kind = kind
        self.description = text
        self.order = order
    }

    /// Reads a stored watermark back as `kind`; `nil` when the text is not of that kind
    /// (e.g. a ledger row written before the dataset's watermark changed type).
    public init?(_ text: String, as kind: Kind) {
        switch kind {
        case .date: guard let date = CalendarDate(iso: text) else { return nil }; self.init(date)
        case .timestamp: guard let timestamp = LocalTimestamp(iso: text) else { return nil }; self.init(timestamp)
        case .integer: guard let integer = Int64(text) else { return nil }; self.init(integer)
        case .text: self.init(text: text)
        }
    }

    /// Watermarks of one kind compare by value; of different kinds (which one dataset never
    /// produces), by kind and then text, so the order is still total.
    public static func < (a: Watermark, b: Watermark) -> Bool {
        if a.kind == b.kind { return a.order < b.order }
        return (a.kind.rawValue, a.description) < (b.kind.rawValue, b.description)
    }

    /// The later of a stored watermark (text, read back as `mark`'s kind) and `mark`. A stored
    /// text that is not of that kind gives way to `mark`.
    public static func later(_ stored: String?, _ mark: Watermark?) -> String? {
        guard let mark else { return stored }
        guard let stored, let previous = Watermark(stored, as: mark.kind) else { return mark.description }
        return max(previous, mark).description
    }
}

/// A row field type that can be a watermark: `CalendarDate`, `LocalTimestamp`, `Int`, `Int64`, `String`.
public protocol WatermarkValue: Sendable {
    var watermark: Watermark { get }
}

extension CalendarDate: WatermarkValue { public var watermark: Watermark { Watermark(self) } }
extension LocalTimestamp: WatermarkValue { public var watermark: Watermark { Watermark(self) } }
extension Int: WatermarkValue { public var watermark: Watermark { Watermark(self) } }
extension Int64: WatermarkValue { public var watermark: Watermark { Watermark(self) } }
extension String: WatermarkValue { public var watermark: Watermark { Watermark(text: self) } }

/// Which value of a row advances the dataset's watermark; the run keeps the largest.
///
/// ```swift
/// watermark: .latest(\.updatedAt)      // a CalendarDate?, LocalTimestamp?, Int?, Int64? or String? field
/// ```
public struct RowWatermark<Row>: Sendable {
    let read: @Sendable (Row) -> Watermark?

    /// Any function of the row; `nil`: this row does not move the watermark.
    public init(_ read: @escaping @Sendable (Row) -> Watermark?) {
        self.read = read
    }

    /// The largest value of an optional field (rows where it is `nil` do not count).
    public static func latest<Value: WatermarkValue>(_ field: KeyPath<Row, Value?> & Sendable) -> RowWatermark {
        RowWatermark { $0[keyPath: field]?.watermark }
    }

    /// The largest value of a field.
    public static func latest<Value: WatermarkValue>(_ field: KeyPath<Row, Value> & Sendable) -> RowWatermark {
        RowWatermark { $0[keyPath: field].watermark }
    }
}
