import Foundation
import IngestCommon

/// A CSV export read per RFC 4180: a header row, fields separated by a comma
/// (or another delimiter), quoted fields with `""` for a quote and with
/// embedded delimiters and line breaks, CRLF or LF line ends, a UTF-8 BOM skipped.
public struct CSVTable: Sendable, Hashable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]]) {
        self.header = header
        self.rows = rows
    }

    /// Parses the bytes; the first record is the header. A row with another
    /// number of fields than the header is an error naming its line.
    public init(_ data: Data, delimiter: Character = ",") throws {
        var records = try CSVTable.records(String(decoding: data, as: UTF8.self), delimiter: delimiter)
        guard !records.isEmpty else {
            throw IngestError("the CSV is empty (no header row)", fix: "check that the export downloaded completely")
        }
        let header = records.removeFirst().fields
        for record in records where record.fields.count != header.count {
            throw IngestError("CSV line \(record.line) has \(record.fields.count) fields, the header has \(header.count)",
                              fix: "check the export's delimiter and quoting")
        }
        self.header = header
        self.rows = records.map(\.fields)
    }

    /// Rows as dictionaries keyed by the header.
    public var records: [[String: String]] {
        rows.map { Dictionary(zip(header, $0), uniquingKeysWith: { first, _ in first }) }
    }

    /// The values of one column, or `nil` when the header lacks it.
    public func column(_ name: String) -> [String]? {
        header.firstIndex(of: name).map { index in rows.map { $0[index] } }
    }

    struct Record {
        var fields: [String]
        var line: Int
    }

    static func records(_ text: String, delimiter: Character) throws -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var fieldWasQuoted = false
        var line = 1, recordLine = 1
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = iterator.next()
        if pending == "\u{FEFF}" { pending = iterator.next() }
        let delimiterScalar = delimiter.unicodeScalars.first!

        func endRecord() {
            fields.append(field)
            // A blank line (one empty unquoted field) is no record.
            if !(fields.count == 1 && fields[0].isEmpty && !fieldWasQuoted) {
                records.append(Record(fields: fields, line: recordLine))
            }
            fields = []
            field = ""
            fieldWasQuoted = false
        }

        while let scalar = pending {
            pending = iterator.next()
            if inQuotes {
                if scalar == "\"" {
                    if pending == "\"" {
                        field.unicodeScalars.append("\"")
                        pending = iterator.next()
                    } else {
                        inQuotes = false
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty && !fieldWasQuoted:
                inQuotes = true
                fieldWasQuoted = true
            case delimiterScalar:
                fields.append(field)
                field = ""
                fieldWasQuoted = false
            case "\r" where pending == "\n":
                break
            case "\n", "\r":
                endRecord()
                line += 1
                recordLine = line
            default:
                field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes {
            throw IngestError("the CSV ends inside a quoted field that starts on line \(recordLine)",
                              fix: "check that the export downloaded completely")
        }
        if !field.isEmpty || !fields.isEmpty || fieldWasQuoted { endRecord() }
        return records
    }
}
