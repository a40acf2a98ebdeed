import Foundation
import IngestCommon

/// One record of a table whose cells are text, by column name: a row of a CSV export (`TableRecord.csv`)
/// or of an HTML table (`TableRecord.html`), read into a row's typed fields.
///
/// Every read trims spaces; an empty cell is `nil`. A cell that is not of the asked type, or a column the
/// table lacks, throws an `IngestError` naming the column and the value, so the parser rejects that record
/// (with `raw`, the cells as JSON) and the others load.
///
/// ```swift
/// TableRecord.csv(artifact.bytes).map { record in
///     do { return .row(OrderRow(id: try record.required("id"), total: try record.decimal("total")), raw: record.raw) }
///     catch { return .rejected(reason: "\(error)", raw: record.raw) }
/// }
/// ```
public struct TableRecord: Sendable, Hashable {
    /// The cells by column name (the table's header), untrimmed.
    public var cells: [String: String]

    public init(_ cells: [String: String]) {
        self.cells = cells
    }

    /// The records of a CSV export (RFC 4180, see `CSVTable`): one per row after the header.
    /// - Throws: `CSVTable`'s errors (an empty file, a row with another number of fields than the header).
    public static func csv(_ data: Data, delimiter: Character = ",") throws -> [TableRecord] {
        try CSVTable(data, delimiter: delimiter).records.map(TableRecord.init)
    }

    /// The records of the HTML table `selector` names (e.g. `table#orders`): the column names are the `th`
    /// cells of its first row that has any, each row with `td` cells is a record (cells by position).
    /// - Throws: an `IngestError` when no element matches `selector`, or the table has no `th` header row.
    public static func html(_ data: Data, table selector: String) throws -> [TableRecord] {
        let document = try HTMLDocument(data)
        guard let table = try document.select(css: selector).first else {
            throw IngestError("the page has no element \(selector)", fix: "check the table's selector against a page in bronze (dom_html)")
        }
        guard let headerRow = try table.select(".//tr[th]").first else {
            throw IngestError("the table \(selector) has no header row (a tr of th cells)", fix: "name the columns in the parser instead of reading them from the header")
        }
        let header = try headerRow.select("th").map(\.normalizedText)
        return try table.select(".//tr[td]").map { row in
            let values = try row.select("td").map(\.normalizedText)
            return TableRecord(Dictionary(zip(header, values), uniquingKeysWith: { first, _ in first }))
        }
    }

    /// The cells as a JSON object (keys sorted), for a rejected record's `raw`.
    public var raw: String {
        let data = try? JSONSerialization.data(withJSONObject: cells, options: [.sortedKeys, .withoutEscapingSlashes])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// The trimmed cell, `nil` when empty.
    /// - Throws: an `IngestError` when the table has no column `column`.
    public func text(_ column: String) throws -> String? {
        guard let value = cells[column] else {
            throw IngestError("the table has no column \(column) (columns: \(cells.keys.sorted().joined(separator: ", ")))",
                              fix: "check the column's name against the header of a table in bronze")
        }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// A cell that must not be empty (a primary key).
    public func required(_ column: String) throws -> String {
        guard let value = try text(column) else {
            throw IngestError("the column \(column) is empty", fix: "every record needs a \(column)")
        }
        return value
    }

    /// An integer cell (`-12`, `3`).
    public func integer(_ column: String) throws -> Int64? {
        try read(column, as: "an integer") { Int64($0) }
    }

    /// A decimal cell read exactly (`1250.50`: every digit kept).
    public func decimal(_ column: String) throws -> ExactDecimal? {
        try read(column, as: "a decimal number") { ExactDecimal($0) }
    }

    /// A date cell, `YYYY-MM-DD` (or an ISO-8601 timestamp: its date in UTC, see `CalendarDate(iso:)`).
    public func date(_ column: String) throws -> CalendarDate? {
        try read(column, as: "a date (YYYY-MM-DD)") { CalendarDate(iso: $0) }
    }

    /// A timestamp cell, ISO-8601 (`2025-01-16T09:30:00Z`; no zone: UTC).
    public func timestamp(_ column: String) throws -> LocalTimestamp? {
        try read(column, as: "an ISO-8601 timestamp") { LocalTimestamp(iso: $0) }
    }

    /// A boolean cell: `true`/`false`, `yes`/`no`, `1`/`0` (any case).
    public func boolean(_ column: String) throws -> Bool? {
        try read(column, as: "a boolean (true/false, yes/no, 1/0)") { text in
            switch text.lowercased() {
            case "true", "yes", "1": return true
            case "false", "no", "0": return false
            default: return nil
            }
        }
    }

    /// `value`, or an error naming `column` when it is `nil` (a key of another type than text).
    public func present<T>(_ value: T?, _ column: String) throws -> T {
        guard let value else { throw IngestError("the column \(column) is empty", fix: "every record needs a \(column)") }
        return value
    }

    private func read<T>(_ column: String, as what: String, _ parse: (String) -> T?) throws -> T? {
        guard let text = try text(column) else { return nil }
        guard let value = parse(text) else {
            throw IngestError("the column \(column) holds \"\(VisibleText.escaped(String(text.prefix(80))))\", not \(what)",
                              fix: "fix the source's value, or change the column's type")
        }
        return value
    }
}
