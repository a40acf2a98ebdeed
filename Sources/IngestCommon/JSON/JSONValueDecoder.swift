import Foundation

/// The `Decoder` that walks a tape; one instance serves the whole document.
///
/// Like Foundation's, it is a single object whose current value moves as
/// nested types decode, so decoding a nested value allocates no new decoder.
/// It is also the single-value container of the current value.
///
/// The coding path is one stack (`path`) that nested values push their key onto and pop;
/// containers remember only their depth in it, so descending into a value copies no array.
/// The path is materialized as an array only when asked for (`codingPath`, errors).
final class JSONValueDecoder: Decoder, SingleValueDecodingContainer {
    let base: UnsafePointer<UInt8>
    /// Bytes in the document.
    let count: Int
    let tape: UnsafeBufferPointer<JSONTapeEntry>
    let userInfo: [CodingUserInfoKey: Any]
    /// Tape index of the value being decoded.
    @exclusivity(unchecked) var current: Int
    /// The coding path of the value being decoded, as a stack.
    @exclusivity(unchecked) var path: [any CodingKey]
    /// While a `JSONItem` tracks the keys its type reads (schema drift): its scope number; 0 when nothing tracks.
    @exclusivity(unchecked) var readScope: UInt32 = 0
    @exclusivity(unchecked) private var lastScope: UInt32 = 0
    /// Per tape index, the scope that last looked up the object key there (allocated when a scope first starts).
    @exclusivity(unchecked) private var readMarks: UnsafeMutablePointer<UInt32>?

    /// Paths of nested containers (`nestedContainer(keyedBy:forKey:)` and the like), which may be used
    /// after the path stack has moved on; containers refer to them by index, so that a container holds
    /// no counted reference and copying one (the standard library's boxes do, per call) costs nothing.
    @exclusivity(unchecked) private var fixedPaths: [[any CodingKey]] = []

    var codingPath: [any CodingKey] { path }

    /// Keeps a nested container's path; returns its index for `fixedPath(_:)`.
    func keepFixedPath(_ path: [any CodingKey]) -> Int {
        fixedPaths.append(path)
        return fixedPaths.count - 1
    }

    /// The kept path `index`, or `nil` for -1 (a container on the path stack).
    @inline(__always)
    func fixedPath(_ index: Int) -> [any CodingKey]? { index < 0 ? nil : fixedPaths[index] }

    init(base: UnsafePointer<UInt8>, count: Int, tape: UnsafeBufferPointer<JSONTapeEntry>, userInfo: [CodingUserInfoKey: Any],
         current: Int, codingPath: [any CodingKey]) {
        self.base = base
        self.count = count
        self.tape = tape
        self.userInfo = userInfo
        self.current = current
        self.path = codingPath
        path.reserveCapacity(16)
    }

    deinit { readMarks?.deallocate() }

    /// A decoder for the value at `index` that shares the document but not the path (super decoders).
    func detached(at index: Int, codingPath: [any CodingKey]) -> JSONValueDecoder {
        JSONValueDecoder(base: base, count: count, tape: tape, userInfo: userInfo, current: index, codingPath: codingPath)
    }

    /// The first `depth` keys of the path, for a container created at that depth.
    @inline(__always)
    func codingPath(depth: Int) -> [any CodingKey] { depth == path.count ? path : Array(path.prefix(depth)) }

    // MARK: - Keys read (schema drift)

    /// Starts a new tracking scope and returns the one it replaces (restore it with `endReadScope`).
    func beginReadScope() -> UInt32 {
        if readMarks == nil {
            let marks = UnsafeMutablePointer<UInt32>.allocate(capacity: max(tape.count, 1))
            marks.initialize(repeating: 0, count: max(tape.count, 1))
            readMarks = marks
        }
        let outer = readScope
        lastScope += 1
        readScope = lastScope
        return outer
    }

    func endReadScope(restoring outer: UInt32) { readScope = outer }

    /// The marks array and the scope that lookups mark keys for now (containers take them when made).
    var readTracking: (UnsafeMutablePointer<UInt32>?, UInt32) { (readMarks, readScope) }

    /// Whether the key at `member` was looked up in `scope`.
    func wasRead(_ member: Int, in scope: UInt32) -> Bool { readMarks?[member] == scope }

    /// Keys a tracking scope looked up that their object lacks (absent, not `null`): the scope, the object's
    /// tape index and the key (vanished keys: `JSONItem.missing`).
    @exclusivity(unchecked) private var missedKeys: [(scope: UInt32, object: Int, key: String)] = []

    /// Notes that `scope` looked up `key` in the object at `object` and found no such member.
    func noteMissing(_ key: String, in object: Int, scope: UInt32) { missedKeys.append((scope, object, key)) }

    /// The keys `scope` looked up and found absent inside the value at `root`, as dotted paths from it
    /// (`customer.phone`; array elements add no index), each once; forgets them.
    func missingKeys(at root: Int, scope: UInt32) -> Set<String> {
        guard !missedKeys.isEmpty else { return [] }
        var found = Set<String>()
        for missed in missedKeys where missed.scope == scope {
            guard let prefix = keyPath(to: missed.object, from: root) else { continue }
            found.insert(prefix.isEmpty ? missed.key : prefix + "." + missed.key)
        }
        missedKeys.removeAll { $0.scope == scope }
        return found
    }

    /// The dotted key path from the value at `root` to the value at `target` ("" when they are the same), or `nil`
    /// when `target` is not inside it. Tape entries are in document order, so only the member holding `target` is walked.
    private func keyPath(to target: Int, from root: Int) -> String? {
        if root == target { return "" }
        let entry = tape[root]
        guard target > root, target < Int(entry.next) else { return nil }
        switch entry.kind & JSONTapeKind.typeMask {
        case JSONTapeKind.object:
            var member = root + 1
            for _ in 0..<Int(entry.end) {
                if let rest = keyPath(to: target, from: member + 1) {
                    let key = tape[member]
                    let name = JSONStringText.string(base, start: Int(key.start), end: Int(key.end), escaped: key.kind & JSONTapeKind.escaped != 0)
                    return rest.isEmpty ? name : name + "." + rest
                }
                member = Int(tape[member + 1].next)
            }
        case JSONTapeKind.array:
            var element = root + 1
            for _ in 0..<Int(entry.end) {
                if let rest = keyPath(to: target, from: element) { return rest }
                element = Int(tape[element].next)
            }
        default:
            break
        }
        return nil
    }

    // MARK: - Decoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try keyedContainer(type, at: current, fixedPath: nil)
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try unkeyedContainer(at: current, fixedPath: nil)
    }

    /// The keyed container of the object at `index`: at the current depth of the path, or with its own `fixedPath`.
    func keyedContainer<Key: CodingKey>(_ type: Key.Type, at index: Int, fixedPath: [any CodingKey]?) throws -> KeyedDecodingContainer<Key> {
        let entry = tape[index]
        guard entry.kind & JSONTapeKind.typeMask == JSONTapeKind.object else {
            if entry.kind == JSONTapeKind.null {
                throw DecodingError.valueNotFound(KeyedDecodingContainer<Key>.self, DecodingError.Context(
                    codingPath: fixedPath ?? path, debugDescription: "Cannot get keyed decoding container -- found null value instead"))
            }
            throw mismatch([String: Any].self, at: index, path: fixedPath ?? path)
        }
        if let fixedPath {
            return KeyedDecodingContainer(JSONKeyedContainer<Key>(decoder: self, object: index, depth: fixedPath.count, fixedPath: keepFixedPath(fixedPath)))
        }
        return KeyedDecodingContainer(JSONKeyedContainer<Key>(decoder: self, object: index, depth: path.count, fixedPath: -1))
    }

    /// The unkeyed container of the array at `index`: at the current depth of the path, or with its own `fixedPath`.
    func unkeyedContainer(at index: Int, fixedPath: [any CodingKey]?) throws -> any UnkeyedDecodingContainer {
        let entry = tape[index]
        guard entry.kind & JSONTapeKind.typeMask == JSONTapeKind.array else {
            if entry.kind == JSONTapeKind.null {
                throw DecodingError.valueNotFound(UnkeyedDecodingContainer.self, DecodingError.Context(
                    codingPath: fixedPath ?? path, debugDescription: "Cannot get unkeyed decoding container -- found null value instead"))
            }
            throw mismatch([Any].self, at: index, path: fixedPath ?? path)
        }
        return JSONUnkeyedContainer(decoder: self, array: index, depth: fixedPath?.count ?? path.count,
                                    fixedPath: fixedPath.map(keepFixedPath) ?? -1)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: - Nested values

    /// Decodes the value at `index`, with `key` appended to the coding path while it decodes.
    /// Common scalars skip `init(from:)`; `URL`, `Data` and `Decimal` decode as JSONDecoder decodes them.
    func decodeValue<T: Decodable>(_ type: T.Type, at index: Int, key: (any CodingKey)?) throws -> T {
        if let key { path.append(key) }
        defer { if key != nil { path.removeLast() } }
        if T.self == String.self { return unsafeBitCast(try string(at: index, path: path), to: T.self) }
        if T.self == Int.self { return unsafeBitCast(try integer(at: index, as: Int.self, path: path), to: T.self) }
        if T.self == Decimal.self { return unsafeBitCast(try decimal(at: index, path: path), to: T.self) }
        if T.self == Double.self { return unsafeBitCast(try double(at: index, path: path), to: T.self) }
        if T.self == Bool.self { return unsafeBitCast(try bool(at: index, path: path), to: T.self) }
        if T.self == Int64.self { return unsafeBitCast(try integer(at: index, as: Int64.self, path: path), to: T.self) }
        if T.self == URL.self { return try url(at: index) as! T }
        if T.self == Data.self { return try data(at: index) as! T }
        let saved = current
        current = index
        defer { current = saved }
        return try T(from: self)
    }

    /// `decodeValue` for a container at `depth` of the path (or with its own `fixedPath`): the path
    /// is that container's plus `key` while the value decodes.
    func decodeValue<T: Decodable>(_ type: T.Type, at index: Int, key: any CodingKey, depth: Int, fixedPath: Int) throws -> T {
        if fixedPath < 0, depth == path.count { return try decodeValue(type, at: index, key: key) }
        let saved = path
        path = self.fixedPath(fixedPath) ?? codingPath(depth: depth)
        defer { path = saved }
        return try decodeValue(type, at: index, key: key)
    }

    private func url(at index: Int) throws -> URL {
        guard let url = URL(string: try string(at: index, path: path)) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: path, debugDescription: "Invalid URL string."))
        }
        return url
    }

    private func data(at index: Int) throws -> Data {
        guard let data = Data(base64Encoded: try string(at: index, path: path)) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: path, debugDescription: "Encountered Data is not valid Base64."))
        }
        return data
    }

    // MARK: - Scalars

    func string(at index: Int, path: @autoclosure () -> [any CodingKey]) throws -> String {
        let entry = tape[index]
        guard entry.kind & JSONTapeKind.typeMask == JSONTapeKind.string else { throw mismatch(String.self, at: index, path: path()) }
        return JSONStringText.string(base, start: Int(entry.start), end: Int(entry.end), escaped: entry.kind & JSONTapeKind.escaped != 0)
    }

    func bool(at index: Int, path: @autoclosure () -> [any CodingKey]) throws -> Bool {
        let kind = tape[index].kind
        if kind == JSONTapeKind.true { return true }
        if kind == JSONTapeKind.false { return false }
        if kind == JSONTapeKind.null {  // JSONDecoder reports a null Bool as a type mismatch, not a missing value.
            throw DecodingError.typeMismatch(Bool.self, DecodingError.Context(
                codingPath: path(), debugDescription: "Expected to decode Bool but found null instead."))
        }
        throw mismatch(Bool.self, at: index, path: path())
    }

    @_specialize(where T == Int)
    @_specialize(where T == Int64)
    func integer<T: FixedWidthInteger>(at index: Int, as type: T.Type, path: @autoclosure () -> [any CodingKey]) throws -> T {
        let entry = tape[index]
        guard entry.kind & JSONTapeKind.typeMask == JSONTapeKind.number else { throw mismatch(T.self, at: index, path: path()) }
        let start = Int(entry.start), end = Int(entry.end)
        if entry.kind & JSONTapeKind.fractional == 0 {
            if let value = JSONNumberText.integer(base, start: start, end: end, as: T.self) { return value }
        } else if let value = JSONNumberText.decimal(base, start: start, end: end), let exact = T(value.description) {
            // 1e5 or 2.0: an integer written as a float, accepted like JSONDecoder does.
            return exact
        }
        throw DecodingError.dataCorrupted(DecodingError.Context(
            codingPath: path(), debugDescription: "Number \(JSONNumberText.text(base, start: start, end: end)) does not fit in \(T.self)."))
    }

    func double(at index: Int, path: @autoclosure () -> [any CodingKey]) throws -> Double {
        let entry = tape[index]
        guard entry.kind & JSONTapeKind.typeMask == JSONTapeKind.number else { throw mismatch(Double.self, at: index, path: path()) }
        guard let value = JSONNumberText.double(base, start: Int(entry.start), end: Int(entry.end),
                                                fractional: entry.kind & JSONTapeKind.fractional != 0) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: path(), debugDescription:
                "Number \(JSONNumberText.text(base, start: Int(entry.start), end: Int(entry.end))) is not representable in Swift."))
        }
        return value
    }

    func float(at index: Int, path: @autoclosure () -> [any CodingKey]) throws -> Float {
        let value = try double(at: index, path: path())
        // Out of Float's range either way (overflow, or underflow to zero), as JSONDecoder refuses it.
        guard abs(value) <= Double(Float.greatestFiniteMagnitude), value == 0 || Float(value) != 0 else {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: path(), debugDescription: "Number \(value) does not fit in Float."))
        }
        return Float(value)
    }

    func decimal(at index: Int, path: @autoclosure () -> [any CodingKey]) throws -> Decimal {
        let entry = tape[index]
        guard entry.kind & JSONTapeKind.typeMask == JSONTapeKind.number else { throw mismatch(Decimal.self, at: index, path: path()) }
        guard let value = JSONNumberText.decimal(base, start: Int(entry.start), end: Int(entry.end)) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: path(), debugDescription:
                "Number \(JSONNumberText.text(base, start: Int(entry.start), end: Int(entry.end))) is not representable as a Decimal without rounding (it holds 38 digits); decode ExactDecimal to keep every digit."))
        }
        return value
    }

    /// The text of the number at `index` as the document wrote it; `nil` when the value is not a number.
    func numberText(at index: Int) -> String? {
        let entry = tape[index]
        guard entry.kind & JSONTapeKind.typeMask == JSONTapeKind.number else { return nil }
        return JSONNumberText.text(base, start: Int(entry.start), end: Int(entry.end))
    }

    /// The bytes of the number at `index` as the document wrote them; `nil` when the value is not a number.
    func numberBytes(at index: Int) -> UnsafeBufferPointer<UInt8>? {
        let entry = tape[index]
        guard entry.kind & JSONTapeKind.typeMask == JSONTapeKind.number else { return nil }
        return UnsafeBufferPointer(start: base + Int(entry.start), count: Int(entry.end) - Int(entry.start))
    }

    func isNull(at index: Int) -> Bool { tape[index].kind == JSONTapeKind.null }

    // MARK: - Errors

    /// `valueNotFound` for null, else `typeMismatch`, as JSONDecoder reports them.
    func mismatch(_ expected: Any.Type, at index: Int, path: [any CodingKey]) -> DecodingError {
        let kind = tape[index].kind & JSONTapeKind.typeMask
        if kind == JSONTapeKind.null {
            return DecodingError.valueNotFound(expected, DecodingError.Context(
                codingPath: path, debugDescription: "Cannot get value of type \(expected) -- found null value instead"))
        }
        let found: String
        switch kind {
        case JSONTapeKind.string: found = "a string"
        case JSONTapeKind.number: found = "a number"
        case JSONTapeKind.array: found = "an array"
        case JSONTapeKind.object: found = "a dictionary"
        default: found = "a bool"
        }
        // Parsers probe with `try?` (a number or a string?), so a mismatch must be cheap to build.
        let name: String
        switch ObjectIdentifier(expected) {
        case ObjectIdentifier(String.self): name = "String"
        case ObjectIdentifier(Int.self): name = "Int"
        case ObjectIdentifier(Int64.self): name = "Int64"
        case ObjectIdentifier(Double.self): name = "Double"
        case ObjectIdentifier(Decimal.self): name = "Decimal"
        case ObjectIdentifier(Bool.self): name = "Bool"
        default: name = String(describing: expected)
        }
        return DecodingError.typeMismatch(expected, DecodingError.Context(
            codingPath: path, debugDescription: "Expected to decode " + name + " but found " + found + " instead."))
    }

    // MARK: - SingleValueDecodingContainer

    func decodeNil() -> Bool { isNull(at: current) }
    func decode(_ type: Bool.Type) throws -> Bool { try bool(at: current, path: codingPath) }
    func decode(_ type: String.Type) throws -> String { try string(at: current, path: codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try double(at: current, path: codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try float(at: current, path: codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try integer(at: current, as: Int.self, path: codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(at: current, as: Int8.self, path: codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(at: current, as: Int16.self, path: codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(at: current, as: Int32.self, path: codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(at: current, as: Int64.self, path: codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(at: current, as: UInt.self, path: codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(at: current, as: UInt8.self, path: codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(at: current, as: UInt16.self, path: codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(at: current, as: UInt32.self, path: codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(at: current, as: UInt64.self, path: codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(type, at: current, key: nil) }
}

/// The coding key of an array element in a coding path.
struct JSONIndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { return nil }
}
