import Crypto

/// Writes a row's checksum canonical form (`Checksum.canonicalForm`) straight into one byte
/// buffer, field by field, and hashes it: the same bytes and the same SHA-256 as
/// `Checksum.sha256Hex(fields)`, without building a `String` per field or for the whole form.
///
/// `RowEncoder` uses it for every row; `Checksum.canonicalForm` stays the definition
/// (the tests compare the two on awkward values).
public struct CanonicalFormWriter {
    /// The canonical form so far, UTF-8.
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    /// Appends `name=`, then `~` for NULL or the byte length, `:` and the canonical text, then `\n`.
    /// Returns the byte count of the value's canonical text (`nil` for NULL).
    @discardableResult
    public mutating func append(name: String, _ value: SQLValue) -> Int? {
        appendText(name)
        bytes.append(UInt8(ascii: "="))
        let length: Int?
        switch value {
        case .null:
            bytes.append(UInt8(ascii: "~"))
            length = nil
        case .text(let text), .jsonb(let text):
            length = appendCounted(text)
        case .numeric(let decimal):
            length = appendCounted(decimal.text)
        case .integer(let integer):
            let text = String(integer)
            length = appendCounted(text)
        case .boolean(let flag):
            length = appendCounted(flag ? "true" : "false")
        case .date(let date):
            length = appendDate(date)
        case .timestamp(let timestamp):
            length = appendCounted(timestamp.description)
        }
        bytes.append(UInt8(ascii: "\n"))
        return length
    }

    /// The lowercase hex SHA-256 of the bytes written.
    public func sha256Hex() -> String {
        bytes.withUnsafeBytes { SHA256.hash(data: $0) }.withUnsafeBytes { Checksum.hex($0) }
    }

    // MARK: - Pieces

    /// `length:text`.
    private mutating func appendCounted(_ text: String) -> Int {
        let count = text.utf8.count
        appendDecimal(count)
        bytes.append(UInt8(ascii: ":"))
        appendText(text)
        return count
    }

    @inline(__always)
    private mutating func appendText(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    private mutating func appendDecimal(_ value: Int) {
        if value < 10 {
            bytes.append(UInt8(ascii: "0") &+ UInt8(value))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: an Int has at most 20 digits
        var count = 0
        var rest = UInt(value)
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[23 - count] = UInt8(ascii: "0") &+ UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[(24 - count)...]))
        }
    }

    /// `10:YYYY-MM-DD` for the dates a `CalendarDate` holds (years 1–9999), as `description` writes them.
    private mutating func appendDate(_ date: CalendarDate) -> Int {
        guard (0...9999).contains(date.year), (0...99).contains(date.month), (0...99).contains(date.day) else {
            return appendCounted(date.description)
        }
        let zero = UInt8(ascii: "0")
        let (y, m, d) = (date.year, date.month, date.day)
        bytes.append(UInt8(ascii: "1")); bytes.append(zero); bytes.append(UInt8(ascii: ":"))
        bytes.append(zero &+ UInt8(y / 1000)); bytes.append(zero &+ UInt8(y / 100 % 10))
        bytes.append(zero &+ UInt8(y / 10 % 10)); bytes.append(zero &+ UInt8(y % 10))
        bytes.append(UInt8(ascii: "-")); bytes.append(zero &+ UInt8(m / 10)); bytes.append(zero &+ UInt8(m % 10))
        bytes.append(UInt8(ascii: "-")); bytes.append(zero &+ UInt8(d / 10)); bytes.append(zero &+ UInt8(d % 10))
        return 10
    }
}
