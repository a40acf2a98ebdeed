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
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
