import Crypto
import Foundation

/// The SHA-256 change-detection checksum of a silver row.
///
/// The canonical form is explicit, not an encoder's output: for each data
/// column, in the config's order, `name` `=` and then `~` for NULL or the byte
/// length, `:` and the value's canonical text, each column ended by `\n`.
/// Lengths make it unambiguous whatever the values contain; numbers are hashed
/// in their canonical decimal text, so `952.0` and `952` agree.
public enum Checksum {
    public static func canonicalForm(_ fields: [(name: String, value: SQLValue)]) -> String {
        var out = ""
        for field in fields {
            out += field.name
            out += "="
            if let text = field.value.canonicalText {
                out += String(text.utf8.count)
                out += ":"
                out += text
            } else {
                out += "~"
            }
            out += "\n"
        }
        return out
    }

    public static func sha256Hex(_ fields: [(name: String, value: SQLValue)]) -> String {
        sha256Hex(Array(canonicalForm(fields).utf8))
    }

    public static func sha256Hex(_ bytes: some DataProtocol) -> String {
        hex(SHA256.hash(data: bytes))
    }

    public static func hex(_ digest: some Sequence<UInt8>) -> String {
        if let text = digest.withContiguousStorageIfAvailable({ hex(UnsafeRawBufferPointer($0)) }) { return text }
        return Array(digest).withUnsafeBytes { hex($0) }
    }

    /// Lowercase hex of raw bytes, written straight into the string's storage.
    static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            for (index, byte) in bytes.enumerated() {
                out[2 * index] = hexDigit(byte >> 4)
                out[2 * index + 1] = hexDigit(byte & 0x0f)
            }
            return bytes.count * 2
        }
    }

    @inline(__always)
    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") &+ value : UInt8(ascii: "a") &+ (value &- 10)
    }
}
