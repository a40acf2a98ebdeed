import Foundation
import IngestCommon

/// What one sample response of an API says about its records: where they are, their fields with
/// inferred column types, and a primary-key guess. `ingestctl new --from-url` renders a source from it.
///
/// Records are a bare array (`[{…}, {…}]`) or the first array of objects inside the top-level object
/// (`{"count": 2, "results": [{…}]}` → `results`). Every record is read; a field's type is the one that
/// fits every non-null value seen:
///
/// | values | type |
/// |---|---|
/// | strings | `text` |
/// | whole JSON numbers within Int64 | `integer` |
/// | fractional JSON numbers, or decimal strings with a point (`"125000.50"`) | `numeric` (exact) |
/// | `"YYYY-MM-DD"` (a real date) | `date` |
/// | ISO-8601 timestamps (`2024-03-10T23:30:00.000`, offsets applied) | `timestamp` |
/// | `true` / `false` | `boolean` |
/// | arrays | `jsonb` |
/// | objects | flattened: each key a field `parent_child` |
///
/// Digit strings without a point (`"02139"`, `"12345"`) stay `text`: codes and identifiers keep their
/// leading zeros. Integers and decimals together make `numeric`; an array here and a scalar there makes
/// `jsonb`; any other mix makes `text` (read from whatever scalar the API sends when the JSON kinds
/// differ: `mixed`). A field that is null in every record is `text`.
public struct SampleShape: Sendable, Hashable {
    /// Where a page's records are.
    public enum Records: Sendable, Hashable {
        /// The body is the array.
        case bareArray
        /// The array under this top-level key.
        case key(String)

        /// The REST toolkit's `recordsPath`: `nil` for a bare array.
        public var recordsPath: String? {
            if case .key(let key) = self { return key }
            return nil
        }
    }

    public var records: Records
    /// Records in the sample.
    public var recordCount: Int
    /// The fields of a record, flattened, in the order of first appearance.
    public var fields: [InferredField]
    /// The field guessed as the primary key (see `guessKey`), or `nil` when none qualifies.
    public var key: InferredField?
    /// Where a wrapped body keeps its next-page link, for the paginator: a top-level key (`next`, `next_page`, …) or a
    /// well-known nested place (`links.next`, `paging.next`, `_links.next.href`, `["@odata.nextLink"]`, …).
    public var nextLinkKey: String?
    /// The API's total at a well-known place (`meta.total`, `total_count`, `totalCount`, `count`) and where, when the sample gives one.
    public var declaredTotal: DeclaredTotal?

    /// An API's total in a sample: where it is and its value.
    public struct DeclaredTotal: Sendable, Hashable {
        public var path: String
        public var value: Int
    }
    /// A next-page cursor (not a link) at a well-known place (`meta.next_cursor`, `next_cursor`): the scaffold cannot
    /// tell which query parameter takes it.
    public var nextCursorPath: String?

    /// Well-known places of a next-page link that `.nextURL(path:)` follows: those a run checks on its last page
    /// (`PageCompleteness`), and a few more top-level names. (A `links.next` that is an object is no link: its
    /// `links.next.href` is.)
    static let nextLinkPaths = PageCompleteness.wellKnownNextPages.filter { $0.paginator.hasPrefix(".nextURL") }.map(\.path)
        + ["next_page", "nextPage", "next_url"]
    /// Well-known places of a next-page cursor: those a run checks, and `meta.cursor.next`.
    static let nextCursorPaths = PageCompleteness.wellKnownNextPages.filter { $0.paginator.hasPrefix(".cursor") }.map(\.path)
        + ["meta.cursor.next"]
    /// Well-known places of the API's total: those a run checks (`PageCompleteness`).
    static var totalPaths: [String] { PageCompleteness.wellKnownTotals }

    /// Reads a sample response body; `dataset` names the dataset for the `<name>_id` key guess.
    /// Throws an `IngestError` naming what is wrong when the body is not JSON or holds no records.
    public init(json data: Data, dataset: String) throws {
        let tree: JSONTree
        do {
            tree = try JSONTree.parse(data)
        } catch {
            throw IngestError("the sample response is not JSON (\(error))",
                              fix: "check that --from-url points at the API's JSON endpoint (open it in a browser or with curl)")
        }
        let items: [JSONTree]
        switch tree {
        case .array(let array):
            records = .bareArray
            items = array
        case .object(let object):
            let keys = Self.orderedKeys(of: data) ?? object.keys.sorted()
            guard let key = keys.first(where: { key in
                guard case .array(let array)? = object[key] else { return false }
                return array.contains { if case .object = $0 { return true } else { return false } }
            }), case .array(let array)? = object[key] else {
                throw IngestError("the sample response is an object with no array of records (keys: \(keys.joined(separator: ", ")))",
                                  fix: "point --from-url at a list endpoint: a JSON array, or an object holding one (e.g. {\"results\": [...]})")
            }
            records = .key(key)
            items = array
            // A link (a string, or null on a last page) at a well-known place; a nested `links.next` that is an object is
            // HAL's or JSON:API's `{"href": …}`: no link itself, its `links.next.href` is.
            nextLinkKey = Self.nextLinkPaths.first { text in
                guard let value = (try? JSONPath(text))?.values(in: tree).first else { return false }
                return value.string != nil || value == .null
            }
            nextCursorPath = Self.nextCursorPaths.first { text in (try? JSONPath(text))?.string(in: tree).map { !$0.isEmpty } ?? false }
            for text in Self.totalPaths {
                if let path = try? JSONPath(text), case .number? = path.value(in: tree), let value = path.string(in: tree).flatMap({ Int($0) }) {
                    declaredTotal = DeclaredTotal(path: text, value: value)
                    break
                }
            }
        default:
            throw IngestError("the sample response is \(tree.kindName), not records",
                              fix: "point --from-url at a list endpoint: a JSON array, or an object holding one")
        }
        let objects = items.compactMap(\.object)
        guard !objects.isEmpty else {
            throw IngestError("the sample response has no records to infer columns from (\(items.count) item(s), none an object)",
                              fix: "point --from-url at a query that returns at least one record")
        }
        recordCount = objects.count
        var collector = FieldCollector()
        let order = Self.orderedKeys(of: data, records: records)
        for object in objects { collector.add(object, path: [], order: order) }
        var collected = collector.fields(recordCount: objects.count)
        if case .key("data") = records, Self.isJSONAPI(objects) { collected = Self.jsonAPIFields(collected, objects: objects) }
        fields = ScaffoldNames.uniqueColumns(collected)
        key = Self.guessKey(fields, dataset: dataset, objects: objects)
    }

    /// JSON:API resource objects: every record has a `type` and an `attributes` object.
    static func isJSONAPI(_ objects: [[String: JSONTree]]) -> Bool {
        objects.allSatisfy { $0["type"]?.string != nil && $0["attributes"]?.object != nil }
    }

    /// JSON:API's envelope read as a row: `attributes.x` is the column `x`, `relationships.<name>.data.id` is
    /// `<name>_id` (a to-many `relationships.<name>.data` stays one `jsonb` column `<name>`), `id` stays, a `type`
    /// that is the same in every record and the resource's `links` and other relationship members go.
    /// A name an attribute shares with a top-level member keeps its `attributes_` prefix.
    static func jsonAPIFields(_ fields: [InferredField], objects: [[String: JSONTree]]) -> [InferredField] {
        let constantType = Set(objects.compactMap { $0["type"]?.string }).count == 1
        let topLevel = Set(fields.filter { $0.path.count == 1 }.map(\.column))
        return fields.compactMap { field in
            var field = field
            let path = field.path
            switch path.first {
            case "type" where path.count == 1 && constantType, "links":
                return nil
            case "attributes":
                let column = ScaffoldNames.column(for: Array(path.dropFirst()))
                if !topLevel.contains(column) { field.column = column }
            case "relationships":
                if path.count == 4, path[2] == "data", path[3] == "id" {
                    field.column = ScaffoldNames.column(for: [path[1]]) + "_id"
                } else if path.count == 3, path[2] == "data", field.type == .jsonb {
                    field.column = ScaffoldNames.column(for: [path[1]])
                } else {
                    return nil
                }
            default:
                break
            }
            return field
        }
    }

    /// The primary-key guess: a field `id`, else `<dataset>_id` (or its singular), else one ending
    /// in `_id` named after the dataset, else one ending in `_number`; it must be a top-level text or
    /// integer field present and distinct in every sample record. `nil` when none is.
    static func guessKey(_ fields: [InferredField], dataset: String, objects: [[String: JSONTree]]) -> InferredField? {
        let candidates = fields.filter { field in
            field.path.count == 1 && (field.type == .text || field.type == .integer) && field.inEveryRecord && !field.mixed
                && Set(objects.compactMap { $0[field.path[0]]?.scalarText }).count == objects.count
        }
        let singular = dataset.hasSuffix("s") ? String(dataset.dropLast()) : dataset
        let rules: [(InferredField) -> Bool] = [
            { $0.column == "id" },
            { $0.column == "\(dataset)_id" || $0.column == "\(singular)_id" },
            { $0.column.hasSuffix("_number") },
            { $0.column.hasSuffix("_id") },
        ]
        for rule in rules {
            if let found = candidates.first(where: rule) { return found }
        }
        return nil
    }

    /// The keys of the first record (or of the top-level object) in the order the document writes
    /// them, so generated fields follow the API's order; `nil` when not found.
    static func orderedKeys(of data: Data, records: Records? = nil) -> [String]? {
        // A light scan: the keys of objects at the depth where records (or the wrapper) are.
        let bytes = [UInt8](data)
        var depth = 0
        var inString = false
        var escaped = false
        var keys: [String] = []
        var seen = Set<String>()
        var current: [UInt8] = []
        var expectingKey = false
        let targetDepth: Int
        switch records {
        case nil: targetDepth = 1
        case .bareArray?: targetDepth = 2
        case .key?: targetDepth = 3
        }
        // Nested objects' keys are gathered too, with their parent path, by depth-first order of appearance.
        var stack: [UInt8] = []
        for byte in bytes {
            if inString {
                if escaped { escaped = false; current.append(byte); continue }
                if byte == UInt8(ascii: "\\") { escaped = true; current.append(byte); continue }
                if byte == UInt8(ascii: "\"") {
                    inString = false
                    if expectingKey, depth >= targetDepth, stack.last == UInt8(ascii: "{") {
                        let key = String(decoding: current, as: UTF8.self)
                        let name = "\(depth - targetDepth):" + key
                        if !seen.contains(name) { seen.insert(name); keys.append(key) }
                    }
                    continue
                }
                current.append(byte)
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true; current = []
            case UInt8(ascii: "{"): depth += 1; stack.append(byte); expectingKey = true
            case UInt8(ascii: "["): depth += 1; stack.append(byte); expectingKey = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1; stack.removeLast(); expectingKey = false
            case UInt8(ascii: ","): expectingKey = stack.last == UInt8(ascii: "{")
            case UInt8(ascii: ":"): expectingKey = false
            default: break
            }
        }
        return keys.isEmpty ? nil : keys
    }
}

/// One field of a record as `SampleShape` inferred it.
public struct InferredField: Sendable, Hashable {
    /// The JSON keys from the record down to the value: `["location", "city"]` for a flattened field.
    public var path: [String]
    /// The column name: the path's keys in snake_case joined by `_` (`location_city`).
    public var column: String
    /// The inferred column type.
    public var type: InferredType
    /// The values had several JSON kinds (read as text from whatever scalar the API sends).
    public var mixed: Bool
    /// Present and non-null in every sample record.
    public var inEveryRecord: Bool
}

/// A column type `SampleShape` infers, with the Swift type a row field of it has.
public enum InferredType: String, Sendable, Hashable, CaseIterable {
    case text, integer, numeric, date, timestamp, boolean, jsonb

    /// The row field's Swift type (`ExactDecimal` for `numeric`: every digit kept).
    public var swiftType: String {
        switch self {
        case .text: return "String"
        case .integer: return "Int64"
        case .numeric: return "ExactDecimal"
        case .date: return "CalendarDate"
        case .timestamp: return "LocalTimestamp"
        case .boolean: return "Bool"
        case .jsonb: return "JSONText"
        }
    }

    /// The type of one JSON value; `nil` for null (no evidence) and for objects (flattened instead).
    static func of(_ value: JSONTree) -> InferredType? {
        switch value {
        case .null, .object: return nil
        case .bool: return .boolean
        case .array: return .jsonb
        case .number(let number):
            let text = ExactDecimal(number).text
            return !text.contains(".") && Int64(text) != nil ? .integer : .numeric
        case .string(let text):
            let bytes = Array(text.utf8)
            if bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), CalendarDate(iso: text) != nil { return .date }
            if bytes.count >= 16, bytes[4] == UInt8(ascii: "-"), LocalTimestamp(iso: text) != nil { return .timestamp }
            if isDecimalWithPoint(bytes) { return .numeric }
            return .text
        }
    }

    /// `-?(0|[1-9][0-9]*)\.[0-9]+`: a decimal written with a point and no leading zero.
    static func isDecimalWithPoint(_ b: [UInt8]) -> Bool {
        var i = 0
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") { i += 1 }
        let intDigits = i - intStart
        guard intDigits > 0, intDigits == 1 || b[intStart] != UInt8(ascii: "0") else { return false }
        guard i < b.count, b[i] == UInt8(ascii: ".") else { return false }
        i += 1
        let fractionStart = i
        while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") { i += 1 }
        return i > fractionStart && i == b.count
    }

    /// The type that holds both; `nil` when only text does (kinds mixed).
    static func merge(_ a: InferredType, _ b: InferredType) -> InferredType? {
        if a == b { return a }
        if Set([a, b]) == [.integer, .numeric] { return .numeric }
        return nil
    }
}

/// Gathers fields over all records, flattening objects.
struct FieldCollector {
    struct Entry {
        var path: [String]
        var type: InferredType?
        var mixed = false
        /// The JSON kinds seen (`a string`, `a number`, …).
        var kinds: Set<String> = []
        var present = 0
        /// Seen as an object somewhere (flattened) and as a scalar or array elsewhere: kept whole as jsonb.
        var objectAndOther = false
        var wasObject = false
        var wasOther = false
    }

    var entries: [[String]: Entry] = [:]
    var order: [[String]] = []

    mutating func add(_ object: [String: JSONTree], path: [String], order keyOrder: [String]?) {
        let keys = object.keys.sorted { a, b in
            let ia = keyOrder?.firstIndex(of: a) ?? Int.max, ib = keyOrder?.firstIndex(of: b) ?? Int.max
            return ia == ib ? a < b : ia < ib
        }
        for key in keys {
            let value = object[key]!
            let fieldPath = path + [key]
            if entries[fieldPath] == nil {
                entries[fieldPath] = Entry(path: fieldPath)
                order.append(fieldPath)
            }
            if case .object(let child) = value {
                entries[fieldPath]!.wasObject = true
                add(child, path: fieldPath, order: keyOrder)
                continue
            }
            guard value != .null else { continue }
            entries[fieldPath]!.wasOther = true
            entries[fieldPath]!.present += 1
            guard let type = InferredType.of(value) else { continue }
            entries[fieldPath]!.kinds.insert(value.kindName)
            if let known = entries[fieldPath]!.type {
                entries[fieldPath]!.type = InferredType.merge(known, type) ?? .text
            } else {
                entries[fieldPath]!.type = type
            }
            let kinds = entries[fieldPath]!.kinds
            if kinds.count > 1, kinds.contains("an array") {
                entries[fieldPath]!.type = .jsonb   // an array here, a scalar there: kept whole
            }
            entries[fieldPath]!.mixed = kinds.count > 1 && entries[fieldPath]!.type == .text
        }
    }

    /// The fields: a path seen only as an object gives its children; one seen as an object and as
    /// something else is one `jsonb` field (its children dropped).
    func fields(recordCount: Int) -> [InferredField] {
        let wholeJSON = Set(order.filter { entries[$0]!.wasObject && entries[$0]!.wasOther })
        var fields: [InferredField] = []
        for path in order {
            if wholeJSON.contains(where: { path.count > $0.count && Array(path.prefix($0.count)) == $0 }) { continue }
            let entry = entries[path]!
            if entry.wasObject && !entry.wasOther { continue }
            let whole = wholeJSON.contains(path)
            fields.append(InferredField(
                path: path, column: ScaffoldNames.column(for: path),
                type: whole ? .jsonb : (entry.type ?? .text), mixed: whole ? false : entry.mixed,
                inEveryRecord: !whole && entry.present == recordCount))
        }
        return fields
    }
}
