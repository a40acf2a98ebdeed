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
        let outer = json.beginReadScope()
        let scope = json.readScope
        defer { json.endReadScope(restoring: outer) }
        do {
            value = try json.decodeValue(Value.self, at: index, key: nil)
            unread = json.unreadKeys(at: index, scope: scope)
            let missing = json.missingKeys(at: index, scope: scope)
            if let drift = SchemaDrift.current {
                if !unread.isEmpty { drift.record(unread) }
                drift.recordItem(missing: missing)
            }
        } catch let error as DecodingError {
            _ = json.missingKeys(at: index, scope: scope)
            failure = DecodingErrorText.describe(error)
        }
    }
}

/// Collects the keys items carried that their types never read (schema drift), while a parse runs
/// inside `SchemaDrift.$current.withValue(_:)`: `JSONItem` reports to it.
public final class SchemaDrift: @unchecked Sendable {
    /// One drifted key: how many items carried it and the first value seen (JSON text, cut at 200 characters);
    /// or, `vanished`, a key the item type reads that no item of the run carried (`count`: the items, `example` empty).
    public struct Key: Sendable, Hashable, Codable {
        public var path: String
        public var count: Int
        public var example: String
        /// A key the item type reads, absent (not `null`) from every item of the run: renamed or dropped upstream.
        package var vanished = false

        public init(path: String, count: Int, example: String) {
            self.path = path
            self.count = count
            self.example = example
        }

        package init(vanished path: String, items: Int) {
            self.init(path: path, count: items, example: "")
            vanished = true
        }

        enum CodingKeys: String, CodingKey { case path, count, example, vanished }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            path = try c.decode(String.self, forKey: .path)
            count = try c.decode(Int.self, forKey: .count)
            example = try c.decode(String.self, forKey: .example)
            vanished = try c.decodeIfPresent(Bool.self, forKey: .vanished) ?? false
        }

        /// `vanished` is written only when true, so a drifted key's JSON is as it was.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(path, forKey: .path)
            try c.encode(count, forKey: .count)
            try c.encode(example, forKey: .example)
            if vanished { try c.encode(true, forKey: .vanished) }
        }
    }

    /// The items decoded, and per key path the type read the items that lacked it (absent, not `null`).
    package struct Absences: Sendable, Hashable {
        package var items = 0
        package var absent: [String: Int] = [:]

        package init() {}

        package static func + (a: Absences, b: Absences) -> Absences {
            var sum = a
            sum.items += b.items
            sum.absent.merge(b.absent, uniquingKeysWith: +)
            return sum
        }

        /// The keys no decoded item carried, sorted: vanished keys (none when no item was decoded).
        package var vanished: [Key] {
            guard items > 0 else { return [] }
            return absent.filter { $0.value == items }.keys.sorted().map { Key(vanished: $0, items: items) }
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

    private var absences = Absences()

    /// One item decoded, lacking the keys `missing` that its type read (dotted paths).
    package func recordItem(missing: Set<String>) {
        lock.withLock {
            absences.items += 1
            for path in missing { absences.absent[path, default: 0] += 1 }
        }
    }

    /// The keys seen so far, by path.
    public var collected: [Key] { lock.withLock { keys.values.sorted { $0.path < $1.path } } }

    /// The items decoded so far and the keys they lacked.
    package var collectedAbsences: Absences { lock.withLock { absences } }

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
    /// The JSON text of the value at tape `index` as the document wrote it without the white space
    /// between tokens: strings and numbers byte for byte (escapes kept), brackets, commas and colons.
    ///
    /// One pass over the value's bytes straight into the string's storage: the tape gives where each
    /// string, number and literal starts and ends, so only the bytes between tokens (white space and
    /// structural characters) are looked at one by one.
    func rawText(at index: Int) -> String {
        let entry = tape[index]
        let kind = entry.kind & JSONTapeKind.typeMask
        let start = Int(entry.start)
        if kind == JSONTapeKind.string {
            return String(decoding: UnsafeBufferPointer(start: base + start - 1, count: Int(entry.end) - start + 2), as: UTF8.self)
        }
        if kind != JSONTapeKind.array, kind != JSONTapeKind.object {
            return String(decoding: UnsafeBufferPointer(start: base + start, count: Int(entry.end) - start), as: UTF8.self)
        }
        let next = Int(entry.next)
        // Everything of the value lies before the next value's first byte (or the end of the document).
        let limit = next < tape.count ? Int(tape[next].start) : count
        return String(unsafeUninitializedCapacity: limit - start) { out in
            var written = 0
            var position = start
            var depth = 0
            /// Copies the structural characters of the bytes between tokens, up to `end`.
            func gap(upTo end: Int) {
                while position < end {
                    let byte = base[position]
                    position += 1
                    switch byte {
                    case 0x20, 0x0A, 0x0D, 0x09: continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                    default: break
                    }
                    out[written] = byte
                    written += 1
                }
            }
            func copy(_ from: Int, _ to: Int) {
                let length = to - from
                UnsafeMutableRawPointer(out.baseAddress! + written).copyMemory(from: base + from, byteCount: length)
                written += length
                position = to
            }
            var member = index + 1
            while member < next {
                let token = tape[member]
                let tokenStart = Int(token.start)
                switch token.kind & JSONTapeKind.typeMask {
                case JSONTapeKind.string:
                    gap(upTo: tokenStart - 1)
                    copy(tokenStart - 1, Int(token.end) + 1)
                case JSONTapeKind.array, JSONTapeKind.object:
                    gap(upTo: tokenStart)
                default:
                    gap(upTo: tokenStart)
                    copy(tokenStart, Int(token.end))
                }
                member += 1
            }
            // The closing brackets after the last token.
            while depth > 0 || position == start { gap(upTo: position + 1) }
            return written
        }
    }

    /// The object keys inside the value at `index` that were not looked up in read scope `scope`, as dotted paths with their values.
    func unreadKeys(at index: Int, scope: UInt32) -> [(path: String, value: String)] {
        guard hasUnreadKeys(at: index, scope: scope) else { return [] }
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
                    if wasRead(member, in: scope) { walk(member + 1, path) } else { found.append((path, rawText(at: member + 1))) }
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

    /// Whether some object key inside the value at `index` was not looked up in `scope` (no text built).
    private func hasUnreadKeys(at index: Int, scope: UInt32) -> Bool {
        let entry = tape[index]
        switch entry.kind & JSONTapeKind.typeMask {
        case JSONTapeKind.object:
            var member = index + 1
            for _ in 0..<Int(entry.end) {
                if !wasRead(member, in: scope) || hasUnreadKeys(at: member + 1, scope: scope) { return true }
                member = Int(tape[member + 1].next)
            }
            return false
        case JSONTapeKind.array:
            var element = index + 1
            for _ in 0..<Int(entry.end) {
                if hasUnreadKeys(at: element, scope: scope) { return true }
                element = Int(tape[element].next)
            }
            return false
        default:
            return false
        }
    }
}
