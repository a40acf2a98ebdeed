import IngestCommon
import NIOCore

/// Writes rows in PostgreSQL's `COPY … FROM STDIN` text format.
///
/// PostgresNIO only speaks the text format: columns are separated by tabs,
/// rows end with a newline, `\N` is NULL, and backslash, tab, newline and
/// carriage return inside a value must be escaped by the client.
enum CopyText {
    static let tab = UInt8(ascii: "\t")
    static let newline = UInt8(ascii: "\n")
    static let backslash = UInt8(ascii: "\\")

    static func appendNull(_ buffer: inout ByteBuffer) {
        buffer.writeInteger(backslash)
        buffer.writeInteger(UInt8(ascii: "N"))
    }

    static func append(_ value: SQLValue, to buffer: inout ByteBuffer) {
        guard let text = value.canonicalText else { return appendNull(&buffer) }
        append(text: text, to: &buffer)
    }

    static func append(text: String, to buffer: inout ByteBuffer) {
        var text = text
        text.withUTF8 { bytes in
            // Most values need no escape: copy them in one go.
            guard bytes.contains(where: { $0 == backslash || $0 == tab || $0 == newline || $0 == 13 }) else {
                buffer.writeBytes(bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case backslash: buffer.writeInteger(backslash); buffer.writeInteger(backslash)
                case tab: buffer.writeInteger(backslash); buffer.writeInteger(UInt8(ascii: "t"))
                case newline: buffer.writeInteger(backslash); buffer.writeInteger(UInt8(ascii: "n"))
                case 13: buffer.writeInteger(backslash); buffer.writeInteger(UInt8(ascii: "r"))
                default: buffer.writeInteger(byte)
                }
            }
        }
    }
}
