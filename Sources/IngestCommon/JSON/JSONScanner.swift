/// Reads a whole JSON document once, strictly by RFC 8259, into a tape.
///
/// Validation happens here, in one pass, so the decoder afterwards trusts the
/// tape: strings are valid UTF-8 with well-formed escapes, numbers follow the
/// grammar (no leading zeros, no NaN), nesting is bounded and nothing but
/// whitespace follows the value. Any other input is refused with the byte
/// offset where reading stopped and the kind of fault (`JSONSyntaxError.Kind`).
///
/// One leniency, as browsers have it: a `\u` escape of a lone UTF-16
/// surrogate (`"\ud83d"` without its pair) is accepted and reads as U+FFFD;
/// the scan counts them so that the caller can give a notice.
struct JSONScanner {
    /// A scanned document: its tape and the lone surrogate escapes read as U+FFFD.
    struct Result {
        var tape: [JSONTapeEntry]
        var loneSurrogates: Int
        /// Byte offset of the first lone surrogate escape.
        var firstLoneSurrogate: Int?
    }

    /// JSONDecoder's limit too; deeper documents are refused rather than risking the stack.
    static let maximumDepth = 512

    private let base: UnsafePointer<UInt8>
    private let count: Int
    private var position = 0
    private var tape: [JSONTapeEntry] = []
    private var loneSurrogates = 0
    private var firstLoneSurrogate: Int?

    private init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
        tape.reserveCapacity(count / 8 + 4)
    }

    /// The tape of `bytes`, or the first syntax error.
    static func scan(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> Result {
        guard let raw = bytes.baseAddress, bytes.count > 0 else {
            throw JSONSyntaxError(offset: 0, reason: "Unexpected end of input, expected a JSON value", kind: .notJSON)
        }
        guard bytes.count < Int(UInt32.max) else {
            throw JSONSyntaxError(offset: 0, reason: "Documents of 4 GiB or more are not supported", kind: .malformed)
        }
        var scanner = JSONScanner(base: raw.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        // A UTF-8 byte order mark may be ignored (RFC 8259 §8.1); JSONDecoder ignores it too.
        if bytes.count >= 3, scanner.base[0] == 0xEF, scanner.base[1] == 0xBB, scanner.base[2] == 0xBF { scanner.position = 3 }
        scanner.skipWhitespace()
        if scanner.position == scanner.count {
            throw scanner.failure("The body is empty (white space only), expected a JSON value", kind: .notJSON)
        }
        if !Self.canStartValue(scanner.base[scanner.position]) {
            throw scanner.failure("The body does not start like JSON (\(Self.describe(scanner.base[scanner.position])))", kind: .notJSON)
        }
        try scanner.scanValue(depth: 0)
        scanner.skipWhitespace()
        if scanner.position < scanner.count {
            throw scanner.failure("Unexpected trailing characters after the JSON value")
        }
        return Result(tape: scanner.tape, loneSurrogates: scanner.loneSurrogates, firstLoneSurrogate: scanner.firstLoneSurrogate)
    }

    /// Whether a document may begin with this byte: anything else is not JSON at all (HTML, plain text, binary).
    private static func canStartValue(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"),
             UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return false
        }
    }

    // MARK: - Values

    private mutating func scanValue(depth: Int) throws(JSONSyntaxError) {
        skipWhitespace()
        guard position < count else { throw failure("Unexpected end of input, expected a JSON value", kind: .truncated) }
        switch base[position] {
        case UInt8(ascii: "\""): try scanString()
        case UInt8(ascii: "{"): try scanObject(depth: depth)
        case UInt8(ascii: "["): try scanArray(depth: depth)
        case UInt8(ascii: "t"): try scanLiteral("true", kind: JSONTapeKind.true)
        case UInt8(ascii: "f"): try scanLiteral("false", kind: JSONTapeKind.false)
        case UInt8(ascii: "n"): try scanLiteral("null", kind: JSONTapeKind.null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try scanNumber()
        default: throw failure("Unexpected character \(Self.describe(base[position])), expected a JSON value")
        }
    }

    private mutating func scanObject(depth: Int) throws(JSONSyntaxError) {
        guard depth < Self.maximumDepth else {
            throw failure("Too many nested arrays or objects (more than \(Self.maximumDepth))", kind: .tooDeep)
        }
        let index = tape.count
        tape.append(JSONTapeEntry(kind: JSONTapeKind.object, start: UInt32(position), end: 0, next: 0))
        position += 1
        skipWhitespace()
        var members: UInt32 = 0
        if position < count, base[position] == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                skipWhitespace()
                guard position < count else { throw failure("Unexpected end of input in an object, expected a key", kind: .truncated) }
                guard base[position] == UInt8(ascii: "\"") else {
                    throw failure("Unexpected character \(Self.describe(base[position])), expected a string key")
                }
                try scanString()
                skipWhitespace()
                guard position < count else { throw failure("Unexpected end of input, expected ':' after an object key", kind: .truncated) }
                guard base[position] == UInt8(ascii: ":") else {
                    throw failure("Unexpected character \(Self.describe(base[position])), expected ':' after an object key")
                }
                position += 1
                try scanValue(depth: depth + 1)
                members += 1
                skipWhitespace()
                guard position < count else { throw failure("Unexpected end of input in an object, expected ',' or '}'", kind: .truncated) }
                let byte = base[position]
                position += 1
                if byte == UInt8(ascii: ",") { continue }
                if byte == UInt8(ascii: "}") { break }
                position -= 1
                throw failure("Unexpected character \(Self.describe(byte)) in an object, expected ',' or '}'")
            }
        }
        tape[index].end = members
        tape[index].next = UInt32(tape.count)
    }

    private mutating func scanArray(depth: Int) throws(JSONSyntaxError) {
        guard depth < Self.maximumDepth else {
            throw failure("Too many nested arrays or objects (more than \(Self.maximumDepth))", kind: .tooDeep)
        }
        let index = tape.count
        tape.append(JSONTapeEntry(kind: JSONTapeKind.array, start: UInt32(position), end: 0, next: 0))
        position += 1
        skipWhitespace()
        var elements: UInt32 = 0
        if position < count, base[position] == UInt8(ascii: "]") {
            position += 1
        } else {
            while true {
                try scanValue(depth: depth + 1)
                elements += 1
                skipWhitespace()
                guard position < count else { throw failure("Unexpected end of input in an array, expected ',' or ']'", kind: .truncated) }
                let byte = base[position]
                position += 1
                if byte == UInt8(ascii: ",") { continue }
                if byte == UInt8(ascii: "]") { break }
                position -= 1
                throw failure("Unexpected character \(Self.describe(byte)) in an array, expected ',' or ']'")
            }
        }
        tape[index].end = elements
        tape[index].next = UInt32(tape.count)
    }

    private mutating func scanLiteral(_ word: StaticString, kind: UInt8) throws(JSONSyntaxError) {
        let length = word.utf8CodeUnitCount
        let start = position
        for offset in 0..<length {
            guard start + offset < count else { throw failure("Unexpected end of input in a literal", at: start + offset, kind: .truncated) }
            guard base[start + offset] == word.utf8Start[offset] else {
                throw failure("Invalid literal, expected '\(word)'", at: start + offset)
            }
        }
        position = start + length
        tape.append(JSONTapeEntry(kind: kind, start: UInt32(start), end: UInt32(position), next: UInt32(tape.count + 1)))
    }

    // MARK: - Numbers

    private mutating func scanNumber() throws(JSONSyntaxError) {
        let start = position
        var kind = JSONTapeKind.number
        if base[position] == UInt8(ascii: "-") { position += 1 }
        guard position < count else { throw failure("Unexpected end of input in a number, expected a digit", kind: .truncated) }
        let first = base[position]
        if first == UInt8(ascii: "0") {
            position += 1
            if position < count, Self.isDigit(base[position]) {
                throw failure("Leading zeros are not allowed in a number")
            }
        } else if Self.isDigit(first) {
            position += 1
            skipDigits()
        } else {
            throw failure("Unexpected character \(Self.describe(first)) in a number, expected a digit")
        }
        if position < count, base[position] == UInt8(ascii: ".") {
            kind |= JSONTapeKind.fractional
            position += 1
            try requireDigit(after: "'.'")
            skipDigits()
        }
        if position < count, base[position] | 0x20 == UInt8(ascii: "e") {
            kind |= JSONTapeKind.fractional
            position += 1
            if position < count, base[position] == UInt8(ascii: "+") || base[position] == UInt8(ascii: "-") {
                position += 1
            }
            try requireDigit(after: "the exponent")
            skipDigits()
        }
        tape.append(JSONTapeEntry(kind: kind, start: UInt32(start), end: UInt32(position), next: UInt32(tape.count + 1)))
    }

    private mutating func requireDigit(after what: String) throws(JSONSyntaxError) {
        guard position < count else { throw failure("Unexpected end of input in a number, expected a digit after \(what)", kind: .truncated) }
        guard Self.isDigit(base[position]) else {
            throw failure("Unexpected character \(Self.describe(base[position])) in a number, expected a digit after \(what)")
        }
        position += 1
    }

    private mutating func skipDigits() {
        while position < count, Self.isDigit(base[position]) { position += 1 }
    }

    @inline(__always)
    private static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    // MARK: - Strings

    /// Scans a string starting at its opening quote; the tape entry spans its content.
    private mutating func scanString() throws(JSONSyntaxError) {
        let open = position
        position += 1
        let start = position
        var kind = JSONTapeKind.string
        while true {
            skipPlainASCII()
            guard position < count else { throw failure("Unterminated string", at: open, kind: .truncated) }
            let byte = base[position]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") {
                kind |= JSONTapeKind.escaped
                try scanEscape()
            } else if byte < 0x20 {
                throw failure("Unescaped control character \(Self.describe(byte)) in a string")
            } else {
                try scanUTF8Sequence()
            }
        }
        tape.append(JSONTapeEntry(kind: kind, start: UInt32(start), end: UInt32(position), next: UInt32(tape.count + 1)))
        position += 1
    }

    /// Skips bytes that need no attention in a string: printable ASCII but `"` and `\`.
    /// Eight bytes at a time while none of them is special.
    @inline(__always)
    private mutating func skipPlainASCII() {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while position + 8 <= count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            let special = (word | ((word &- ones &* 0x20) & ~word)
                | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)) & highs
            if special != 0 { break }
            position += 8
        }
        while position < count {
            let byte = base[position]
            guard byte &- 0x20 < 0x60, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") else { return }
            position += 1
        }
    }

    /// Validates one backslash escape; `\u` high surrogates must be followed by a low one.
    private mutating func scanEscape() throws(JSONSyntaxError) {
        let escape = position
        position += 1
        guard position < count else { throw failure("Unexpected end of input in an escape sequence", at: escape, kind: .truncated) }
        switch base[position] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 1
        case UInt8(ascii: "u"):
            position += 1
            let unit = try scanHex4(escape: escape)
            if unit & 0xFC00 == 0xDC00 {
                noteLoneSurrogate(at: escape)
            } else if unit & 0xFC00 == 0xD800 {
                // Paired only when a low surrogate escape follows; else the high one alone reads as U+FFFD.
                guard position + 1 < count, base[position] == UInt8(ascii: "\\"), base[position + 1] == UInt8(ascii: "u") else {
                    noteLoneSurrogate(at: escape)
                    return
                }
                let second = position
                position += 2
                let low = try scanHex4(escape: second)
                if low & 0xFC00 != 0xDC00 {
                    noteLoneSurrogate(at: escape)
                    position = second  // the next escape is read on its own
                }
            }
        default:
            throw failure("Invalid escape sequence \\\(Self.describe(base[position]))", at: escape)
        }
    }

    private mutating func scanHex4(escape: Int) throws(JSONSyntaxError) -> UInt16 {
        guard position + 4 <= count else { throw failure("Unexpected end of input in a \\u escape", at: escape, kind: .truncated) }
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard let digit = JSONStringText.hexValue(base[position]) else {
                throw failure("Invalid hex digit \(Self.describe(base[position])) in a \\u escape")
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }

    /// Validates one multi-byte UTF-8 sequence (no overlongs, no surrogates, at most U+10FFFF);
    /// a refusal points at the sequence's first byte.
    private mutating func scanUTF8Sequence() throws(JSONSyntaxError) {
        let lead = base[position]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw failure("Invalid UTF-8 byte \(Self.describe(lead)) in a string", kind: .invalidUTF8)
        }
        guard position + length <= count else { throw failure("Truncated UTF-8 sequence in a string", kind: .invalidUTF8) }
        let second = base[position + 1]
        guard second >= low, second <= high else { throw failure("Invalid UTF-8 continuation byte in a string", kind: .invalidUTF8) }
        for offset in 2..<max(2, length) where base[position + offset] & 0xC0 != 0x80 {
            throw failure("Invalid UTF-8 continuation byte in a string", kind: .invalidUTF8)
        }
        position += length
    }

    // MARK: - Helpers

    @inline(__always)
    private mutating func skipWhitespace() {
        while position < count {
            switch base[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    private func failure(_ reason: String, at offset: Int? = nil, kind: JSONSyntaxError.Kind = .malformed) -> JSONSyntaxError {
        JSONSyntaxError(offset: offset ?? position, reason: reason, kind: kind)
    }

    private mutating func noteLoneSurrogate(at offset: Int) {
        loneSurrogates += 1
        if firstLoneSurrogate == nil { firstLoneSurrogate = offset }
    }

    private static func describe(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "0x\(String(byte, radix: 16, uppercase: true))"
    }
}
