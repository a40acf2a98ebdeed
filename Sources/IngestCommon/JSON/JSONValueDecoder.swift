import Foundation

/// The `Decoder` that walks a tape; one instance serves the whole document.
///
/// Like Foundation's, it is a single object whose current value moves as
/// nested types decode, so decoding a nested value allocates no new decoder.
/// It is also the single-value container of the current value.
final class JSONValueDecoder: Decoder, SingleValueDecodingContainer {
    let base: UnsafePointer<UInt8>
    let tape: UnsafeBufferPointer<JSONTapeEntry>
    let userInfo: [CodingUserInfoKey: Any]
    /// Tape index of the value being decoded.
    @exclusivity(unchecked) var current: Int
    @exclusivity(unchecked) var codingPath: [any CodingKey]

    init(base: UnsafePointer<UInt8>, tape: UnsafeBufferPointer<JSONTapeEntry>, userInfo: [CodingUserInfoKey: Any],
         current: Int, codingPath: [any CodingKey]) {
        self.base = base
        self.tape = tape
        self.userInfo = userInfo
        self.current = current
        self.codingPath = codingPath
    }

    // MARK: - Decoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let entry = tape[current]
        guard entry.kind & JSONTapeKind.typeMask == JSONTapeKind.object else {
            if entry.kind == JSONTapeKind.null {
                throw DecodingError.valueNotFound(KeyedDecodingContainer<Key>.self, DecodingError.Context(
                    codingPath: codingPath, debugDescription: "Cannot get keyed decoding container -- found null value instead"))
            }
            throw mismatch([String: Any].self, at: current, path: codingPath)
        }
        return KeyedDecodingContainer(JSONKeyedContainer<Key>(decoder: self, object: current, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let entry = tape[current]
        guard entry.kind & JSONTapeKind.typeMask == JSONTapeKind.array else {
            if entry.kind == JSONTapeKind.null {
                throw DecodingError.valueNotFound(UnkeyedDecodingContainer.self, DecodingError.Context(
                    codingPath: codingPath, debugDescription: "Cannot get unkeyed decoding container -- found null value instead"))
            }
            throw mismatch([Any].self, at: current, path: codingPath)
        }
        return JSONUnkeyedContainer(decoder: self, array: current, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: - Nested values

    /// Decodes the value at `index`, with `key` appended to the coding path while it decodes.
    /// Common scalars skip `init(from:)`; `URL`, `Data` and `Decimal` decode as JSONDecoder decodes them.
    func decodeValue<T: Decodable>(_ type: T.Type, at index: Int, key: (any CodingKey)?) throws -> T {
        if let key { codingPath.append(key) }
        defer { if key != nil { codingPath.removeLast() } }
        if T.self == String.self { return unsafeBitCast(try string(at: index, path: codingPath), to: T.self) }
        if T.self == Int.self { return unsafeBitCast(try integer(at: index, as: Int.self, path: codingPath), to: T.self) }
        if T.self == Decimal.self { return unsafeBitCast(try decimal(at: index, path: codingPath), to: T.self) }
        if T.self == Double.self { return unsafeBitCast(try double(at: index, path: codingPath), to: T.self) }
        if T.self == Bool.self { return unsafeBitCast(try bool(at: index, path: codingPath), to: T.self) }
        if T.self == Int64.self { return unsafeBitCast(try integer(at: index, as: Int64.self, path: codingPath), to: T.self) }
        if T.self == URL.self { return try url(at: index) as! T }
        if T.self == Data.self { return try data(at: index) as! T }
        let saved = current
        current = index
        defer { current = saved }
        return try T(from: self)
    }

    private func url(at index: Int) throws -> URL {
        guard let url = URL(string: try string(at: index, path: codingPath)) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: codingPath, debugDescription: "Invalid URL string."))
        }
        return url
    }

    private func data(at index: Int) throws -> Data {
        guard let data = Data(base64Encoded: try string(at: index, path: codingPath)) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: codingPath, debugDescription: "Encountered Data is not valid Base64."))
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
