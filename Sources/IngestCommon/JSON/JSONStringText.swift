import Foundation

/// Turns the bytes of a validated JSON string into a Swift `String`.
///
/// The scanner already checked UTF-8 and escapes, so this only copies (a lone
/// surrogate escape becomes U+FFFD, as the scanner announced): a
/// string without escapes straight from the buffer, one with escapes through a
/// single buffer of the raw length (unescaping never makes a string longer).
enum JSONStringText {
    static func string(_ base: UnsafePointer<UInt8>, start: Int, end: Int, escaped: Bool) -> String {
        let raw = UnsafeBufferPointer(start: base + start, count: end - start)
        guard escaped else { return String(decoding: raw, as: UTF8.self) }
        return String(unsafeUninitializedCapacity: raw.count) { out in
            var read = 0, written = 0
            while read < raw.count {
                let byte = raw[read]
                guard byte == UInt8(ascii: "\\") else {
                    out[written] = byte
                    written += 1
                    read += 1
                    continue
                }
                let code = raw[read + 1]
                read += 2
                switch code {
                case UInt8(ascii: "b"): out[written] = 0x08
                case UInt8(ascii: "f"): out[written] = 0x0C
                case UInt8(ascii: "n"): out[written] = 0x0A
                case UInt8(ascii: "r"): out[written] = 0x0D
                case UInt8(ascii: "t"): out[written] = 0x09
                case UInt8(ascii: "u"):
                    var scalar = hex4(raw, at: read)
                    read += 4
                    if scalar & 0xFC00 == 0xD800, read + 6 <= raw.count, raw[read] == UInt8(ascii: "\\"),
                       raw[read + 1] == UInt8(ascii: "u"), case let low = hex4(raw, at: read + 2), low & 0xFC00 == 0xDC00 {
                        read += 6
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if scalar & 0xF800 == 0xD800 {
                        scalar = 0xFFFD  // a lone surrogate (the scanner counted it): the replacement character
                    }
                    written += encodeUTF8(scalar, into: out, at: written)
                    continue
                default: out[written] = code
                }
                written += 1
            }
            return written
        }
    }

    /// The UTF-8 bytes of a string (unescaped only when needed), for comparing keys.
    @inline(__always)
    static func equals(_ base: UnsafePointer<UInt8>, start: Int, end: Int, escaped: Bool, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        if !escaped {
            let count = key.count
            guard end - start == count else { return false }
            if count <= 16 {  // keys are short: compared in place, no call
                let text = base + start
                for offset in 0..<count where text[offset] != key[offset] { return false }
                return true
            }
            return memcmp(base + start, key.baseAddress!, count) == 0
        }
        var text = string(base, start: start, end: end, escaped: true)
        return text.withUTF8 { $0.elementsEqual(key) }
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func hex4(_ raw: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt32 {
        var value: UInt32 = 0
        for offset in 0..<4 { value = value << 4 | UInt32(hexValue(raw[index + offset]) ?? 0) }
        return value
    }

    private static func encodeUTF8(_ scalar: UInt32, into out: UnsafeMutableBufferPointer<UInt8>, at index: Int) -> Int {
        switch scalar {
        case 0..<0x80:
            out[index] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            out[index] = UInt8(0xC0 | scalar >> 6)
            out[index + 1] = UInt8(0x80 | scalar & 0x3F)
            return 2
        case 0x800..<0x10000:
            out[index] = UInt8(0xE0 | scalar >> 12)
            out[index + 1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[index + 2] = UInt8(0x80 | scalar & 0x3F)
            return 3
        default:
            out[index] = UInt8(0xF0 | scalar >> 18)
            out[index + 1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            out[index + 2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[index + 3] = UInt8(0x80 | scalar & 0x3F)
            return 4
        }
    }
}
