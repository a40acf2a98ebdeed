import Foundation

/// One item of a JSON list, decoded on its own: its value, or why it could not be decoded,
/// and the item's JSON text either way.
///
/// Decode a page as `Page<JSONItem<Item>>` instead of `Page<Item>` and one item of the wrong
/// shape (a string where a number belongs, a missing key) no longer fails the whole page: the
/// parser keeps the others and hands the bad one on as a rejected item with its raw JSON.
/// `raw` is the item as the document wrote it (strings and numbers byte for byte, without the
/// white space between tokens); it is empty when the item was decoded by a decoder other than
/// `IngestJSONDecoder` (Foundation's, in the differential tests).
public struct JSONItem<Value: Decodable>: Decodable {
    /// The decoded item; `nil` when it could not be decoded.
    public var value: Value?
    /// Why the item could not be decoded (the place in the document and what was expected).
    public var failure: String?
    /// The item's JSON text.
    public var raw: String

    /// Keys of the item that `Value` never read, as dotted paths (`customer.phone`; array elements
    /// add no index: `lines.discount`), with each one's value as JSON text. Empty when the item
    /// could not be decoded or was decoded by another decoder than `IngestJSONDecoder`.
    public var unread: [(path: String, value: String)] = []

    public init(from decoder: any Decoder) throws {
        guard let json = decoder as? JSONValueDecoder else {
            raw = ""
            do { value = try decoder.singleValueContainer().decode(Value.self) } catch let error as DecodingError {
                failure = DecodingErrorText.describe(error)
            }
            return
        }
        let index = json.current
        raw = json.rawText(at: index)
        let outer = json.readKeys
        json.readKeys = []
        defer { json.readKeys = outer }
        do {
            value = try json.decodeValue(Value.self, at: index, key: nil)
            unread = json.unreadKeys(at: index, read: json.readKeys ?? [])
            if !unread.isEmpty { SchemaDrift.current?.record(unread) }
        } catch let error as DecodingError {
            failure = DecodingErrorText.describe(error)
        }
    }
}

/// Collects the keys items carried that their types never read (schema drift), while a parse runs
/// inside `SchemaDrift.$current.withValue(_:)`: `JSONItem` reports to it.
public final class SchemaDrift: @unchecked Sendable {
    /// One drifted key: how many items carried it and the first value seen (JSON text, cut at 200 characters).
    public struct Key: Sendable, Hashable, Codable {
        public var path: String
        public var count: Int
        public var example: String

        public init(path: String, count: Int, example: String) {
            self.path = path
            self.count = count
            self.example = example
        }
    }

    @TaskLocal public static var current: SchemaDrift?

    private let lock = NSLock()
    private var keys: [String: Key] = [:]

    public init() {}

    public func record(_ unread: [(path: String, value: String)]) {
        lock.withLock {
            for (path, value) in unread {
                if keys[path] == nil {
                    let shown = Redactor.shared.redact(value)
                    keys[path] = Key(path: path, count: 0, example: shown.count > 200 ? String(shown.prefix(200)) + "…" : shown)
                }
                keys[path]!.count += 1
            }
        }
    }

    /// The keys seen so far, by path.
    public var collected: [Key] { lock.withLock { keys.values.sorted { $0.path < $1.path } } }

    /// `a` and `b` together: counts added, the first example kept.
    public static func merge(_ a: [Key], _ b: [Key]) -> [Key] {
        var byPath = Dictionary(uniqueKeysWithValues: a.map { ($0.path, $0) })
        for key in b {
            if byPath[key.path] == nil { byPath[key.path] = key } else { byPath[key.path]!.count += key.count }
        }
        return byPath.values.sorted { $0.path < $1.path }
    }
}

/// A `DecodingError` as one line: what was wrong and where (`results[2].total`), in JSON terms.
public enum DecodingErrorText {
    /// A decoding error in the user's terms: the JSON path (`results[3].total`) and the expected
    /// JSON type, never Swift's container names.
    public static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let text = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "at the top level" : "at \(text.hasPrefix(".") ? String(text.dropFirst()) : text)"
        }
        switch error {
        case .dataCorrupted(let context):
            if let syntax = context.underlyingError as? JSONSyntaxError { return "the artifact is \(syntax.summary)" }
            let underlying = context.underlyingError.map { " (\($0))" } ?? ""
            return "\(context.debugDescription) \(path(context))\(underlying)"
        case .keyNotFound(let key, let context): return "missing key \"\(key.stringValue)\" \(path(context))"
        case .typeMismatch(let type, let context):
            return "expected \(jsonType(type)) \(path(context)) but found \(found(in: context.debugDescription) ?? "another type")"
        case .valueNotFound(let type, let context): return "expected \(jsonType(type)) \(path(context)) but found null"
        @unknown default: return String(describing: error)
        }
    }

    /// The JSON a Swift type decodes from, in a user's words.
    public static func jsonType(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if name.hasPrefix("UnkeyedDecodingContainer") || name.hasPrefix("Array") || name.hasPrefix("[") || name.hasPrefix("Set<") {
            return "an array"
        }
        if name.hasPrefix("KeyedDecodingContainer") || name.hasPrefix("Dictionary") { return "an object" }
        switch name {
        case "String", "Substring", "Character", "URL", "UUID": return "a string"
        case "Bool": return "a boolean"
        case "Int", "Int8", "Int16", "Int32", "Int64", "UInt", "UInt8", "UInt16", "UInt32", "UInt64": return "an integer"
        case "Double", "Float", "Decimal", "CGFloat": return "a number"
        case "Date": return "a date"
        case "Data": return "a base64 string"
        default: return "a value for \(name)"
        }
    }

    /// The found kind in a decoder's mismatch text (`… but found a string instead.`), as JSON words.
    private static func found(in text: String) -> String? {
        guard let start = text.range(of: "found ")?.upperBound else { return nil }
        var kind = String(text[start...])
        if let end = kind.range(of: " instead") { kind = String(kind[..<end.lowerBound]) }
        switch kind {  // ours says "a string", Foundation's "string"
        case "a dictionary", "dictionary": return "an object"
        case "a bool", "bool": return "a boolean"
        case "a null value", "null value", "null": return "null"
        case "string", "number", "array": return (kind == "array" ? "an " : "a ") + kind
        default: return kind.isEmpty ? nil : kind
        }
    }
}

extension JSONValueDecoder {
    /// The JSON text of the value at tape `index`, rebuilt from the tape: strings and numbers are
    /// copied byte for byte (escapes kept), containers get their brackets, commas and colons.
    func rawText(at index: Int) -> String {
        var out: [UInt8] = []
        func emit(_ i: Int) -> Int {
            let entry = tape[i]
            switch entry.kind & JSONTapeKind.typeMask {
            case JSONTapeKind.string:
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: UnsafeBufferPointer(start: base + Int(entry.start), count: Int(entry.end) - Int(entry.start)))
                out.append(UInt8(ascii: "\""))
                return i + 1
            case JSONTapeKind.array:
                out.append(UInt8(ascii: "["))
                var next = i + 1
                for element in 0..<Int(entry.end) {
                    if element > 0 { out.append(UInt8(ascii: ",")) }
                    next = emit(next)
                }
                out.append(UInt8(ascii: "]"))
                return Int(entry.next)
            case JSONTapeKind.object:
                out.append(UInt8(ascii: "{"))
                var next = i + 1
                for member in 0..<Int(entry.end) {
                    if member > 0 { out.append(UInt8(ascii: ",")) }
                    next = emit(next)
                    out.append(UInt8(ascii: ":"))
                    next = emit(next)
                }
                out.append(UInt8(ascii: "}"))
                return Int(entry.next)
            default:
                out.append(contentsOf: UnsafeBufferPointer(start: base + Int(entry.start), count: Int(entry.end) - Int(entry.start)))
                return i + 1
            }
        }
        _ = emit(index)
        return String(decoding: out, as: UTF8.self)
    }

    /// The object keys inside the value at `index` whose tape index is not in `read`, as dotted paths with their values.
    func unreadKeys(at index: Int, read: Set<Int>) -> [(path: String, value: String)] {
        var found: [(path: String, value: String)] = []
        func walk(_ i: Int, _ prefix: String) {
            let entry = tape[i]
            switch entry.kind & JSONTapeKind.typeMask {
            case JSONTapeKind.object:
                var member = i + 1
                for _ in 0..<Int(entry.end) {
                    let key = tape[member]
                    let name = JSONStringText.string(base, start: Int(key.start), end: Int(key.end),
                                                     escaped: key.kind & JSONTapeKind.escaped != 0)
                    let path = prefix.isEmpty ? name : prefix + "." + name
                    if read.contains(member) { walk(member + 1, path) } else { found.append((path, rawText(at: member + 1))) }
                    member = Int(tape[member + 1].next)
                }
            case JSONTapeKind.array:
                var element = i + 1
                for _ in 0..<Int(entry.end) {
                    walk(element, prefix)
                    element = Int(tape[element].next)
                }
            default:
                return
            }
        }
        walk(index, "")
        return found
    }
}
