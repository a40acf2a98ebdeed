/// The structural index of a JSON document: one entry per value (and per
/// object key), in document order.
///
/// The decoder walks this flat array instead of a tree of enums and
/// dictionaries, so nothing is allocated per value and strings are only
/// copied when a `Decodable` asks for them.
struct JSONTapeEntry {
    /// `JSONTapeKind` bits.
    var kind: UInt8
    /// Byte offset of the value; for strings, of the first byte after the opening quote.
    var start: UInt32
    /// Scalars: byte offset just past the value (strings: of the closing quote).
    /// Containers: the number of elements (objects: of members).
    var end: UInt32
    /// Index of the entry that follows this value and everything inside it.
    var next: UInt32
}

/// Kinds of tape entries; strings and numbers carry flags for their fast paths.
enum JSONTapeKind {
    static let null: UInt8 = 0
    static let `false`: UInt8 = 1
    static let `true`: UInt8 = 2
    static let number: UInt8 = 3
    static let string: UInt8 = 4
    static let array: UInt8 = 5
    static let object: UInt8 = 6
    static let typeMask: UInt8 = 0x0f
    /// A string with at least one backslash escape.
    static let escaped: UInt8 = 0x10
    /// A number with a fraction or an exponent.
    static let fractional: UInt8 = 0x20
}
