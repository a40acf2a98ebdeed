/// What "blank" means everywhere in IngestKit: empty after trimming all Unicode white space
/// (the 25 code points with the `White_Space` property: tab, line feed, vertical tab, form feed,
/// carriage return, space, U+0085, no-break space, U+1680, U+2000–U+200A, U+2028, U+2029,
/// U+202F, U+205F, U+3000). The SQL helpers (`Portable.trimWhitespace`, `Portable.blankToDefault`)
/// trim the same set on both warehouses, so a value is blank in Swift exactly when it is blank in SQL.
///
/// Zero-width characters (U+200B, U+FEFF) are not white space in Unicode and are not trimmed.
public enum Blank {
    /// The Unicode `White_Space` code points, in order.
    public static let whitespace: [Unicode.Scalar] = [
        0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680,
        0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A,
        0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
    ].map { Unicode.Scalar(UInt32($0))! }

    private static let set = Set(whitespace)

    public static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool { set.contains(scalar) }

    /// Whether `text` is empty after trimming white space.
    public static func isBlank(_ text: String) -> Bool { text.unicodeScalars.allSatisfy(isWhitespace) }

    /// `text` without leading and trailing white space.
    public static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isWhitespace($0) }),
              let last = scalars.lastIndex(where: { !isWhitespace($0) }) else { return "" }
        return String(scalars[first...last])
    }
}
