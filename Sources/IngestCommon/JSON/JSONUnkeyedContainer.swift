/// The elements of one JSON array, in order; the position advances only when an element decodes.
struct JSONUnkeyedContainer: UnkeyedDecodingContainer {
    /// Not counted: the decoder outlives its containers (see `JSONKeyedContainer.decoder`).
    unowned(unsafe) let decoder: JSONValueDecoder
    /// The container's place in the decoder's path stack; a nested container's own path is kept by the decoder (else -1).
    let depth: Int
    let fixedPath: Int
    let count: Int?
    private(set) var currentIndex = 0
    /// Tape index of the element at `currentIndex`.
    private var element: Int

    init(decoder: JSONValueDecoder, array: Int, depth: Int, fixedPath: Int) {
        self.decoder = decoder
        self.depth = depth
        self.fixedPath = fixedPath
        self.count = Int(decoder.tape[array].end)
        self.element = array + 1
    }

    var codingPath: [any CodingKey] { decoder.fixedPath(fixedPath) ?? decoder.codingPath(depth: depth) }

    var isAtEnd: Bool { currentIndex >= count! }

    private var elementPath: [any CodingKey] { codingPath + [JSONIndexKey(intValue: currentIndex)] }

    /// The next element's tape index, or `valueNotFound` at the end.
    private func next(_ type: Any.Type) throws -> Int {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, DecodingError.Context(
                codingPath: elementPath, debugDescription: "Unkeyed container is at end."))
        }
        return element
    }

    private mutating func advance() {
        element = Int(decoder.tape[element].next)
        currentIndex += 1
    }

    private mutating func scalar<T>(_ type: T.Type, _ read: (JSONValueDecoder, Int, () -> [any CodingKey]) throws -> T) throws -> T {
        let index = try next(type)
        let value = try read(decoder, index) { elementPath }
        advance()
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard decoder.isNull(at: try next(Never.self)) else { return false }
        advance()
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try scalar(type) { try $0.bool(at: $1, path: $2()) } }
    mutating func decode(_ type: String.Type) throws -> String { try scalar(type) { try $0.string(at: $1, path: $2()) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try scalar(type) { try $0.double(at: $1, path: $2()) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try scalar(type) { try $0.float(at: $1, path: $2()) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    private mutating func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        try scalar(type) { try $0.integer(at: $1, as: T.self, path: $2()) }
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let value = try decoder.decodeValue(type, at: try next(type), key: JSONIndexKey(intValue: currentIndex),
                                            depth: depth, fixedPath: fixedPath)
        advance()
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let value = try decoder.keyedContainer(type, at: try next(KeyedDecodingContainer<NestedKey>.self), fixedPath: elementPath)
        advance()
        return value
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let value = try decoder.unkeyedContainer(at: try next(UnkeyedDecodingContainer.self), fixedPath: elementPath)
        advance()
        return value
    }

    mutating func superDecoder() throws -> any Decoder {
        let decoder = decoder.detached(at: try next(Decoder.self), codingPath: elementPath)
        advance()
        return decoder
    }
}
