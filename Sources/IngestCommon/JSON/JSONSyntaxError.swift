/// Malformed JSON, with the byte offset where reading stopped.
///
/// Bronze artifacts can be megabytes; an offset lets a user open the file at
/// the right place instead of guessing from a line number.
public struct JSONSyntaxError: Error, CustomStringConvertible, Sendable, Equatable {
    public var offset: Int
    public var reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "\(reason) at byte offset \(offset)" }
}
