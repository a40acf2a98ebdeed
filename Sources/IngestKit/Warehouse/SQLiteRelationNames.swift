/// How `schema.table` maps onto the one SQLite file of the embedded warehouse.
///
/// SQLite has no schemas of its own (only attached files, at most 10 per
/// connection), so the embedded warehouse keeps every relation in one file
/// under the name `schema.table`: the table PostgreSQL calls
/// `"acme_portal"."orders"` is the SQLite table `"acme_portal.orders"`. The SDK
/// writes the same SQL for both warehouses; the SQLite warehouse maps every
/// two-part name whose first part is one of its schemas, just before the
/// statement runs:
///
///     acme_portal.orders          →  "acme_portal.orders"
///     "marts"."fct_orders"        →  "marts.fct_orders"
///     marts.fct_orders.order_id   →  "marts.fct_orders".order_id
///     staging.sqlite_master       →  the catalog rows of staging's relations, without the prefix
///
/// String literals, comments, bind parameters, `main.` and `temp.` and names
/// whose first part is not a schema (table aliases such as `o.customer_id`)
/// are left as they are. An alias spelled like a schema would be mapped too:
/// do not alias a table with a schema's name.
enum SQLiteRelationNames {
    /// The SQLite table name of `schema.name`, unquoted.
    static func tableName(schema: String, name: String) -> String { schema + "." + name }

    /// The first part of a mapped table name, `nil` for a name outside any schema.
    static func schema(ofTableName name: String) -> String? {
        guard let dot = name.firstIndex(of: "."), dot != name.startIndex else { return nil }
        return String(name[..<dot])
    }

    struct Mapped: Equatable {
        var sql: String
        /// A two-part name whose first part is not a known schema (nor `main`/`temp`) was seen:
        /// a schema created by another connection, or a table alias.
        var sawUnknownQualifier: Bool
    }

    /// `sql` with every `schema.name` of a schema in `schemas` replaced by its SQLite table.
    static func map(_ sql: String, schemas: Set<String>) -> Mapped {
        let bytes = Array(sql.utf8)
        guard bytes.contains(UInt8(ascii: ".")) else { return Mapped(sql: sql, sawUnknownQualifier: false) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 32)
        var unknown = false
        var changed = false
        var previous: UInt8 = 0 // the last byte emitted that is not white space
        var i = 0
        let n = bytes.count
        while i < n {
            let c = bytes[i]
            if c == UInt8(ascii: "'") {
                let end = quotedEnd(bytes, from: i, quote: c)
                out.append(contentsOf: bytes[i..<end]); previous = c; i = end
            } else if c == UInt8(ascii: "-"), i + 1 < n, bytes[i + 1] == c {
                var end = i
                while end < n, bytes[end] != UInt8(ascii: "\n") { end += 1 }
                out.append(contentsOf: bytes[i..<end]); i = end
            } else if c == UInt8(ascii: "/"), i + 1 < n, bytes[i + 1] == UInt8(ascii: "*") {
                var end = i + 2
                while end < n, !(bytes[end] == UInt8(ascii: "*") && end + 1 < n && bytes[end + 1] == UInt8(ascii: "/")) { end += 1 }
                end = min(n, end + 2)
                out.append(contentsOf: bytes[i..<end]); i = end
            } else if isDigit(c) || c == UInt8(ascii: "?") || c == UInt8(ascii: ":") || c == UInt8(ascii: "@") || c == UInt8(ascii: "$") {
                // A number (`1.5`, `0x1F`) or a bind parameter (`?1`, `:name`): never a relation.
                var end = i + 1
                while end < n, isIdentifierByte(bytes[end]) || (isDigit(c) && bytes[end] == UInt8(ascii: ".")) { end += 1 }
                out.append(contentsOf: bytes[i..<end]); previous = bytes[end - 1]; i = end
            } else if let first = identifier(bytes, at: i) {
                var replaced = false
                if previous != UInt8(ascii: ".") {
                    var k = skipSpace(bytes, first.end)
                    if k < n, bytes[k] == UInt8(ascii: ".") {
                        k = skipSpace(bytes, k + 1)
                        if let second = identifier(bytes, at: k) {
                            let qualifier = first.name.lowercased()
                            if schemas.contains(qualifier) {
                                let lowered = second.name.lowercased()
                                let text = lowered == "sqlite_master" || lowered == "sqlite_schema"
                                    ? catalog(of: qualifier)
                                    : quoted(tableName(schema: qualifier, name: second.name))
                                out.append(contentsOf: Array(text.utf8))
                                previous = UInt8(ascii: "\"")
                                i = second.end
                                replaced = true
                                changed = true
                            } else if qualifier != "main" && qualifier != "temp" {
                                unknown = true
                            }
                        }
                    }
                }
                if !replaced {
                    out.append(contentsOf: bytes[i..<first.end]); previous = bytes[first.end - 1]; i = first.end
                }
            } else {
                out.append(c)
                if !isSpace(c) { previous = c }
                i += 1
            }
        }
        return Mapped(sql: changed ? String(decoding: out, as: UTF8.self) : sql, sawUnknownQualifier: unknown)
    }

    /// `schema.sqlite_master` as it read when the schema was an attached file: its relations
    /// and indexes, names without the `schema.` prefix.
    static func catalog(of schema: String) -> String {
        let prefix = "'" + schema + ".'"
        let length = schema.utf8.count + 1
        return """
            (SELECT type, CASE WHEN substr(name, 1, \(length)) = \(prefix) THEN substr(name, \(length + 1)) ELSE name END AS name, \
            substr(tbl_name, \(length + 1)) AS tbl_name, rootpage, sql FROM main.sqlite_master WHERE substr(tbl_name, 1, \(length)) = \(prefix))
            """
    }

    static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func identifier(_ bytes: [UInt8], at i: Int) -> (name: String, end: Int)? {
        guard i < bytes.count else { return nil }
        let c = bytes[i]
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "`"):
            let end = quotedEnd(bytes, from: i, quote: c)
            guard end - i >= 2, bytes[end - 1] == c else { return nil }
            let inner = String(decoding: bytes[(i + 1)..<(end - 1)], as: UTF8.self)
            let doubled = String(decoding: [c, c], as: UTF8.self)
            return (inner.replacingOccurrences(of: doubled, with: String(decoding: [c], as: UTF8.self)), end)
        case UInt8(ascii: "["):
            guard let close = bytes[i...].firstIndex(of: UInt8(ascii: "]")) else { return nil }
            return (String(decoding: bytes[(i + 1)..<close], as: UTF8.self), close + 1)
        default:
            guard isIdentifierByte(c), !isDigit(c), c != UInt8(ascii: "$") else { return nil }
            var end = i + 1
            while end < bytes.count, isIdentifierByte(bytes[end]) { end += 1 }
            return (String(decoding: bytes[i..<end], as: UTF8.self), end)
        }
    }

    /// The index after a quoted token starting at `from` (a doubled quote is part of the token).
    private static func quotedEnd(_ bytes: [UInt8], from: Int, quote: UInt8) -> Int {
        var j = from + 1
        while j < bytes.count {
            if bytes[j] == quote {
                if j + 1 < bytes.count, bytes[j + 1] == quote { j += 2; continue }
                return j + 1
            }
            j += 1
        }
        return bytes.count
    }

    private static func skipSpace(_ bytes: [UInt8], _ from: Int) -> Int {
        var j = from
        while j < bytes.count, isSpace(bytes[j]) { j += 1 }
        return j
    }

    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C }
    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isIdentifierByte(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || isDigit(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: "$") || c >= 0x80
    }
}
