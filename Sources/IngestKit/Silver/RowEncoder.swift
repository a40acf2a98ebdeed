import Foundation
import IngestCommon

/// Turns typed rows into the values the loader writes, in `TableSchema.loadedColumns` order,
/// filling the checksum (over every data column, in config order) and the bronze object path.
///
/// It is also where the values a warehouse cannot hold are dealt with, the same way on both
/// warehouses (Docs/AddingASource.md, "Values the SDK refuses or changes"):
/// - U+0000 (NUL) in text or JSON is removed (PostgreSQL text cannot hold it) and the row
///   counted as `sanitized`, or, with `NULCharacterPolicy.reject`, the row is refused;
///   the checksum is over the stored value;
/// - a blank primary key (empty after trimming white space) is refused, like a NULL key;
/// - a value too long for an index (over `maxIndexedBytes`) is refused, naming the column.
public struct RowEncoder<Config: SourceTableConfig>: Sendable {
    /// The most UTF-8 bytes the indexed values of one row may hold per index (primary key columns
    /// together, or one `index: true` column). PostgreSQL's btree holds about 2,700 bytes per
    /// entry and fails the whole load above that; this limit keeps a margin and is checked on both
    /// warehouses, so a row refused on PostgreSQL is refused on SQLite too.
    public static var maxIndexedBytes: Int { 2_000 }

    public let schema: TableSchema
    public let nulCharacters: NULCharacterPolicy
    private let columns: [Column<Config.Row>]
    /// What `encode` does per column, prepared once (a loop over `columns` would copy each column per row).
    private let slots: [Slot]

    private struct Slot: Sendable {
        enum Kind { case data, checksum, bronzeObjectPath }
        let kind: Kind
        let name: String
        let read: (@Sendable (Config.Row) -> SQLValue)?
        let primaryKey: Bool
        let indexed: Bool
    }

    /// One encoded row.
    public struct Encoded: Sendable {
        public var values: [SQLValue]
        /// Whether a NUL character was removed from one of its values.
        public var sanitized: Bool
    }

    public init(nulCharacters: NULCharacterPolicy = .strip) throws {
        self.schema = try Config.tableSchema()
        self.columns = Config.columns
        self.nulCharacters = nulCharacters
        self.slots = columns.compactMap { column in
            switch column.role {
            case .data(let read): Slot(kind: .data, name: column.name, read: read, primaryKey: column.primaryKey, indexed: column.index)
            case .checksum: Slot(kind: .checksum, name: column.name, read: nil, primaryKey: false, indexed: false)
            case .bronzeObjectPath: Slot(kind: .bronzeObjectPath, name: column.name, read: nil, primaryKey: false, indexed: false)
            case .ingestedAt: nil
            }
        }
    }

    /// Encodes a row; throws `RowRefusal` (without the artifact and item, which the caller adds) for a value
    /// the warehouse cannot hold.
    ///
    /// One pass over the columns: each value is checked for NUL characters, written into the checksum's
    /// canonical form (`CanonicalFormWriter`, the bytes `Checksum.canonicalForm` defines) and kept; the
    /// form is hashed once at the end. The refusals are checked in the order `check` gives them.
    public func encode(_ row: Config.Row, bronzeKey: String) throws -> Encoded {
        var values: [SQLValue] = []
        values.reserveCapacity(columns.count)
        var canonical = CanonicalFormWriter()
        var sanitized = false
        var checksumSlot: Int?
        var keyBytes = 0
        var blankKey: (name: String, text: String)?
        var longIndexed: (name: String, bytes: Int)?
        try slots.withUnsafeBufferPointer { slots in
            for index in slots.indices {
                switch slots[index].kind {
                case .data:
                    var value = slots[index].read.unsafelyUnwrapped(row)
                    if NULCharacters.mayHoldNUL(value), let cleaned = NULCharacters.removed(from: value) {
                        let slot = slots[index]
                        if slot.primaryKey {
                            throw RowRefusal(column: slot.name, reason: "its primary key \(slot.name) holds a NUL character (U+0000), which PostgreSQL cannot store; removing it could merge two different keys",
                                             fix: "fix the key at the source, or map it in the parser")
                        }
                        if nulCharacters == .reject {
                            throw RowRefusal(column: slot.name, reason: "column \(slot.name) holds a NUL character (U+0000) and the dataset rejects such rows (nulCharacters: .reject)",
                                             fix: "fix the value at the source, or let the dataset strip NUL characters (the default, nulCharacters: .strip)")
                        }
                        value = cleaned
                        sanitized = true
                    }
                    let bytes = canonical.append(name: slots[index].name, value) ?? 0
                    if slots[index].primaryKey {
                        if blankKey == nil, case .text(let text) = value, Blank.isBlank(text) { blankKey = (slots[index].name, text) }
                        keyBytes += bytes
                    } else if slots[index].indexed, longIndexed == nil, bytes > Self.maxIndexedBytes {
                        longIndexed = (slots[index].name, bytes)
                    }
                    values.append(value)
                case .checksum:
                    checksumSlot = values.count
                    values.append(.null)
                case .bronzeObjectPath:
                    values.append(.text(bronzeKey))
                }
            }
        }
        if blankKey != nil || keyBytes > Self.maxIndexedBytes || longIndexed != nil {
            try check(blankKey: blankKey, keyBytes: keyBytes, longIndexed: longIndexed)
        }
        if let checksumSlot { values[checksumSlot] = .text(canonical.sha256Hex()) }
        return Encoded(values: values, sanitized: sanitized)
    }

    /// The primary key as `name="value"` pairs, escaped and cut short, to name a row in an error.
    public func keyDescription(_ row: Config.Row) -> String {
        var parts: [String] = []
        for column in columns where column.primaryKey {
            guard case .data(let read) = column.role else { continue }
            let text = read(row).canonicalText ?? "NULL"
            let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
            parts.append("\(column.name)=\"\(VisibleText.escaped(shown))\"")
        }
        return parts.joined(separator: ", ")
    }

    /// Refuses a blank key, a key too long for an index, then an indexed value too long for one, in that order.
    private func check(blankKey: (name: String, text: String)?, keyBytes: Int, longIndexed: (name: String, bytes: Int)?) throws {
        if let (name, text) = blankKey {
            throw RowRefusal(column: name, reason: "its primary key \(name) is \(text.isEmpty ? "empty" : "blank (only white space)"); a blank key is refused like a NULL key, so two rows never merge into one",
                             fix: "give every item a key at the source, or skip keyless items in the parser")
        }
        if keyBytes > Self.maxIndexedBytes {
            let names = columns.filter { $0.primaryKey }.map(\.name).joined(separator: ", ")
            throw RowRefusal(column: names, reason: "its primary key (\(names)) holds \(keyBytes) bytes, more than an indexed value may hold (\(Self.maxIndexedBytes) bytes; PostgreSQL's btree index cannot hold much more)",
                             fix: "key the table by a shorter column, or by a hash of the long one computed in the parser")
        }
        if let (name, bytes) = longIndexed {
            throw RowRefusal(column: name, reason: "indexed column \(name) holds \(bytes) bytes, more than an indexed value may hold (\(Self.maxIndexedBytes) bytes; PostgreSQL's btree index cannot hold much more)",
                             fix: "drop index: true from column \(name) if it holds free text, or cut or map the value in the parser")
        }
    }
}

/// What a dataset does with U+0000 (NUL) characters in text and JSON values, which PostgreSQL
/// cannot store (SQLite can; both get the same value).
public enum NULCharacterPolicy: String, Sendable, Codable {
    /// Remove them, count the row as `sanitized` in the run report, checksum the stored value (the default).
    case strip
    /// Refuse the row: the load fails naming the artifact, the item and the column.
    case reject
}

/// A row the warehouse cannot hold as it is; the load fails naming the artifact, the item and the column.
public struct RowRefusal: Error, CustomStringConvertible, Sendable {
    public var column: String
    public var reason: String
    public var fix: String
    /// Filled in by the parse step: where the row came from.
    public var artifactId: String?
    public var item: Int?
    public var key: String?

    public init(column: String, reason: String, fix: String) {
        self.column = column
        self.reason = reason
        self.fix = fix
    }

    public var description: String {
        var place = artifactId.map { "artifact \($0)" } ?? "a row"
        if let item { place += ", item \(item)" }
        if let key, !key.isEmpty { place += " (\(key))" }
        return "\(place) was refused: \(reason)"
    }
}

enum NULCharacters {
    /// Whether `removed(from:)` could find something: a NUL byte in text (found with `memchr`), any JSON.
    static func mayHoldNUL(_ value: SQLValue) -> Bool {
        switch value {
        case .text(let text):
            var text = text
            return text.withUTF8 { $0.isEmpty ? false : memchr($0.baseAddress!, 0, $0.count) != nil }
        case .jsonb: return true
        default: return false
        }
    }


    /// The value without NUL characters (in JSON, also without `\u0000` escapes, which PostgreSQL's
    /// jsonb refuses); `nil` when it has none.
    static func removed(from value: SQLValue) -> SQLValue? {
        switch value {
        case .text(let text):
            guard text.utf8.contains(0) else { return nil }
            return .text(String(decoding: text.utf8.filter { $0 != 0 }, as: UTF8.self))
        case .jsonb(let text):
            guard text.utf8.contains(0) || text.contains("\\u0000") else { return nil }
            let cleaned = withoutNULEscapes(text)
            return cleaned == text ? nil : .jsonb(cleaned)
        default:
            return nil
        }
    }

    /// JSON text without raw NUL bytes and without `\u0000` escapes (an escaped backslash followed by `u0000` is kept).
    static func withoutNULEscapes(_ json: String) -> String {
        let bytes = Array(json.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        let nulEscape = Array("u0000".utf8)
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0 {
                index += 1
            } else if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                if index + 6 <= bytes.count, Array(bytes[(index + 1)..<(index + 6)]) == nulEscape {
                    index += 6
                } else {
                    out.append(byte)
                    out.append(bytes[index + 1])
                    index += 2
                }
            } else {
                out.append(byte)
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
