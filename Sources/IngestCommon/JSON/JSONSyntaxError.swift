/// Malformed JSON, with the byte offset where reading stopped and what kind of fault it is.
///
/// Bronze artifacts can be megabytes; an offset lets a user open the file at
/// the right place instead of guessing from a line number.
public struct JSONSyntaxError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong, in the words a user needs to act.
    public enum Kind: String, Sendable, Equatable {
        /// Bytes in a string that are not UTF-8 (often a body in another encoding).
        case invalidUTF8 = "invalid UTF-8"
        /// Arrays and objects nested deeper than the reader's limit (`JSONSyntaxError.maximumDepth`).
        case tooDeep = "nested too deep"
        /// The document ends inside a value (a body cut off in transit).
        case truncated = "truncated"
        /// Not JSON at all: empty, or starting like HTML, text or binary.
        case notJSON = "not JSON at all"
        /// JSON with a syntax error somewhere inside.
        case malformed = "malformed JSON"
    }

    /// The deepest nesting of arrays and objects accepted (as Foundation's JSONDecoder).
    public static let maximumDepth = JSONScanner.maximumDepth

    public var offset: Int
    public var reason: String
    public var kind: Kind

    public init(offset: Int, reason: String, kind: Kind = .malformed) {
        self.offset = offset
        self.reason = reason
        self.kind = kind
    }

    public var description: String { "\(reason) at byte offset \(offset)" }

    /// One line that says what the refusal is: `invalid UTF-8 at byte offset 17 (…)`,
    /// `nesting deeper than 512 at byte offset 2048`, `truncated at byte offset 4096 (…)`,
    /// `not JSON at all (…)`, `malformed JSON at byte offset 9 (…)`.
    public var summary: String {
        switch kind {
        case .invalidUTF8: return "invalid UTF-8 at byte offset \(offset) (\(reason))"
        case .tooDeep: return "nesting deeper than \(Self.maximumDepth) at byte offset \(offset)"
        case .truncated: return "truncated at byte offset \(offset) (\(reason))"
        case .notJSON: return "not JSON at all (\(reason))"
        case .malformed: return "malformed JSON at byte offset \(offset) (\(reason))"
        }
    }
}
