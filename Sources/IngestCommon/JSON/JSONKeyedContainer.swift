/// The members of one JSON object, found by comparing key bytes.
///
/// A lookup scans the object's keys on the tape against the UTF-8 of
/// `CodingKey.stringValue`, without building a dictionary or a `String` per
/// key; objects in API pages are small, so a scan beats hashing.
/// With duplicate keys the first one wins.
struct JSONKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    /// The decoder outlives every container of its document (it is alive for the whole `decode` call,
    /// as are the bytes and the tape the container reads): not counted, so copies are free.
    unowned(unsafe) let decoder: JSONValueDecoder
    let object: Int
    /// The container's place in the decoder's path stack; a nested container, which may be used after
    /// the decoder has moved on, has its own path kept by the decoder (`fixedPath`, else -1).
    let depth: Int
    let fixedPath: Int
    /// Where lookups note the keys they read, and for which `JSONItem` scope (0: nothing tracks), taken
    /// when the container is made: a lookup then marks a key without touching the decoder object.
    let readMarks: UnsafeMutablePointer<UInt32>?
    let readScope: UInt32

    init(decoder: JSONValueDecoder, object: Int, depth: Int, fixedPath: Int) {
        self.decoder = decoder
        self.object = object
        self.depth = depth
        self.fixedPath = fixedPath
        (readMarks, readScope) = decoder.readTracking
    }

    @inline(__always)
    private func markRead(_ member: Int) {
        if readScope != 0 { readMarks.unsafelyUnwrapped[member] = readScope }
    }

    var codingPath: [any CodingKey] { decoder.fixedPath(fixedPath) ?? decoder.codingPath(depth: depth) }

    var allKeys: [Key] {
        var keys: [Key] = []
        var member = object + 1
        for _ in 0..<Int(decoder.tape[object].end) {
            let entry = decoder.tape[member]
            let text = JSONStringText.string(decoder.base, start: Int(entry.start), end: Int(entry.end),
                                             escaped: entry.kind & JSONTapeKind.escaped != 0)
            if let key = Key(stringValue: text) { keys.append(key) }
            markRead(member)
            member = Int(decoder.tape[member + 1].next)
        }
        return keys
    }

    /// Tape index of the value for `key`, or nil when the object has no such member.
    private func find(_ key: Key) -> Int? { find(text: key.stringValue) }

    private func find(text key: String) -> Int? {
        var text = key
        let found: Int? = text.withUTF8 { utf8 in
            let tape = decoder.tape, base = decoder.base
            var member = object + 1
            for _ in 0..<Int(tape[object].end) {
                let entry = tape[member]
                if JSONStringText.equals(base, start: Int(entry.start), end: Int(entry.end),
                                         escaped: entry.kind & JSONTapeKind.escaped != 0, utf8) {
                    markRead(member)
                    return member + 1
                }
                member = Int(tape[member + 1].next)
            }
            return nil
        }
        // A key the type reads that the item lacks (absent, not null): a vanished key if no item has it.
        if found == nil, readScope != 0 { decoder.noteMissing(key, in: object, scope: readScope) }
        return found
    }

    private func require(_ key: Key) throws -> Int {
        guard let index = find(key) else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(
                codingPath: codingPath, debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return index
    }

    /// The value for `key` unless it is absent or null (`decodeIfPresent`).
    private func present(_ key: Key) -> Int? {
        guard let index = find(key), !decoder.isNull(at: index) else { return nil }
        return index
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { decoder.isNull(at: try require(key)) }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        try decoder.bool(at: try require(key), path: codingPath + [key])
    }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try decoder.string(at: try require(key), path: codingPath + [key])
    }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        try decoder.double(at: try require(key), path: codingPath + [key])
    }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        try decoder.float(at: try require(key), path: codingPath + [key])
    }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(Int.self, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(Int8.self, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(Int16.self, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(Int32.self, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(Int64.self, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(UInt.self, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(UInt8.self, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(UInt16.self, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(UInt32.self, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(UInt64.self, key) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.decodeValue(type, at: try require(key), key: key, depth: depth, fixedPath: fixedPath)
    }

    private func integer<T: FixedWidthInteger>(_ type: T.Type, _ key: Key) throws -> T {
        try decoder.integer(at: try require(key), as: T.self, path: codingPath + [key])
    }

    // One lookup per `decodeIfPresent` instead of the default's three.
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        try ifPresent(key) { try $0.bool(at: $1, path: $2()) }
    }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        try ifPresent(key) { try $0.string(at: $1, path: $2()) }
    }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        try ifPresent(key) { try $0.double(at: $1, path: $2()) }
    }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? {
        try ifPresent(key) { try $0.float(at: $1, path: $2()) }
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try integerIfPresent(Int.self, key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try integerIfPresent(Int8.self, key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try integerIfPresent(Int16.self, key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try integerIfPresent(Int32.self, key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try integerIfPresent(Int64.self, key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try integerIfPresent(UInt.self, key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try integerIfPresent(UInt8.self, key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try integerIfPresent(UInt16.self, key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try integerIfPresent(UInt32.self, key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try integerIfPresent(UInt64.self, key) }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let index = present(key) else { return nil }
        return try decoder.decodeValue(type, at: index, key: key, depth: depth, fixedPath: fixedPath)
    }

    private func integerIfPresent<T: FixedWidthInteger>(_ type: T.Type, _ key: Key) throws -> T? {
        try ifPresent(key) { try $0.integer(at: $1, as: T.self, path: $2()) }
    }

    /// Reads the member's value unless it is absent or null; the coding path is built only for an error.
    private func ifPresent<T>(_ key: Key, _ read: (JSONValueDecoder, Int, () -> [any CodingKey]) throws -> T) throws -> T? {
        guard let index = present(key) else { return nil }
        return try read(decoder, index) { codingPath + [key] }
    }

    // MARK: - Nested containers

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder.keyedContainer(type, at: try require(key), fixedPath: codingPath + [key])
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.unkeyedContainer(at: try require(key), fixedPath: codingPath + [key])
    }

    func superDecoder() throws -> any Decoder {
        guard let index = find(text: "super") else {
            throw DecodingError.keyNotFound(JSONSuperKey(), DecodingError.Context(
                codingPath: codingPath, debugDescription: "No value associated with key \"super\"."))
        }
        return decoder.detached(at: index, codingPath: codingPath + [JSONSuperKey()])
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoder.detached(at: try require(key), codingPath: codingPath + [key])
    }
}

/// The key `superDecoder()` uses, as in JSONDecoder.
struct JSONSuperKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }
    init() {}
    init?(stringValue: String) { self.init() }
    init?(intValue: Int) { return nil }
}
