/// Values as the text of a PostgreSQL array literal (`{"a","b\"c",NULL}`), bound as one parameter and
/// cast to a typed array (`$1::bigint[]`): a batch of any size is three or four binds, well under the
/// 65,535 a statement allows, and the statement's text is the same for every batch.
///
/// Every element is double-quoted with `"` and `\` escaped, so commas, braces, blanks and the word
/// NULL inside a value stay data; `nil` is an unquoted `NULL`. Each element is then read as the
/// array's element type from its text, exactly as a single bound value would be.
enum PostgresArrayText {
    static func literal<S: Sequence>(_ values: S) -> String where S.Element == String? {
        var text = "{"
        var first = true
        for value in values {
            if !first { text.append(",") }
            first = false
            guard let value else {
                text.append("NULL")
                continue
            }
            text.append("\"")
            if value.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                for character in value.unicodeScalars {
                    if character == "\"" || character == "\\" { text.append("\\") }
                    text.unicodeScalars.append(character)
                }
            } else {
                text.append(value)
            }
            text.append("\"")
        }
        text.append("}")
        return text
    }
}
