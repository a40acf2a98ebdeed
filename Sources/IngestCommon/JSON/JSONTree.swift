import Foundation

/// Any JSON value as a Sendable tree: the one JSON value type of the SDK.
///
/// The HTTP toolkit reads pages into it (paginators, `JSONPath`, records
/// paths), the browser toolkit reads protocol messages and Aura payloads into
/// it, and `parse` uses the same reader as `IngestJSONDecoder`, so toolkit and
/// parsers accept the same documents. Numbers are kept as `Decimal`, so
/// amounts stay exact. In an object with a key twice, the first one wins.
public enum JSONTree: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Decimal)
    case string(String)
    case array([JSONTree])
    case object([String: JSONTree])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Decimal.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONTree].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONTree].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Parses JSON bytes with the SDK's reader; throws `JSONSyntaxError` (offset and kind) for malformed input.
    /// A lone surrogate escape reads as U+FFFD, with a notice to `RunNotes.current`.
    public static func parse(_ data: Data) throws(JSONSyntaxError) -> JSONTree {
        let result = data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Result<JSONTree, JSONSyntaxError> in
            Result { () throws(JSONSyntaxError) -> JSONTree in
                let scan = try JSONScanner.scan(bytes)
                JSONNotices.loneSurrogates(scan)
                let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
                return scan.tape.withUnsafeBufferPointer { tape in tree(at: 0, base: base, tape: tape) }
            }
        }
        return try result.get()
    }

    private static func tree(at index: Int, base: UnsafePointer<UInt8>, tape: UnsafeBufferPointer<JSONTapeEntry>) -> JSONTree {
        let entry = tape[index]
        let start = Int(entry.start), end = Int(entry.end)
        switch entry.kind & JSONTapeKind.typeMask {
        case JSONTapeKind.null: return .null
        case JSONTapeKind.false: return .bool(false)
        case JSONTapeKind.true: return .bool(true)
        case JSONTapeKind.number:
            return .number(JSONNumberText.decimal(base, start: start, end: end)
                ?? Decimal(string: JSONNumberText.text(base, start: start, end: end)) ?? .nan)
        case JSONTapeKind.string:
            return .string(JSONStringText.string(base, start: start, end: end, escaped: entry.kind & JSONTapeKind.escaped != 0))
        case JSONTapeKind.array:
            var elements: [JSONTree] = []
            elements.reserveCapacity(end)
            var element = index + 1
            for _ in 0..<end {
                elements.append(tree(at: element, base: base, tape: tape))
                element = Int(tape[element].next)
            }
            return .array(elements)
        default:
            var members: [String: JSONTree] = [:]
            members.reserveCapacity(end)
            var member = index + 1
            for _ in 0..<end {
                let key = tape[member]
                let name = JSONStringText.string(base, start: Int(key.start), end: Int(key.end), escaped: key.kind & JSONTapeKind.escaped != 0)
                if members[name] == nil { members[name] = tree(at: member + 1, base: base, tape: tape) }
                member = Int(tape[member + 1].next)
            }
            return .object(members)
        }
    }

    /// The kind of value, in a user's words: `null`, `a boolean`, `a number`, `a string`, `an array`, `an object`.
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Compact JSON bytes, keys sorted.
    public func data() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("null".utf8)
    }

    public subscript(_ key: String) -> JSONTree? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public subscript(_ index: Int) -> JSONTree? {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return nil
    }

    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var decimal: Decimal? {
        if case .number(let value) = self { return value }
        return nil
    }

    public var int: Int? {
        guard case .number(let value) = self else { return nil }
        return Int(exactly: NSDecimalNumber(decimal: value).doubleValue)
    }

    public var array: [JSONTree]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var object: [String: JSONTree]? {
        if case .object(let value) = self { return value }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// A scalar as text (numbers in plain decimal notation); `nil` for null, arrays and objects.
    public var scalarText: String? {
        switch self {
        case .string(let value): return value
        case .number(let value): return value.description
        case .bool(let value): return value ? "true" : "false"
        default: return nil
        }
    }
}
