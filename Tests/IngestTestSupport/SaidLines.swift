import Synchronization

/// Lines a platform or an extraction context said (`say:`), collected from any thread.
public final class SaidLines: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    public func append(_ line: String) { lines.withLock { $0.append(line) } }

    /// Every line so far, in order.
    public var all: [String] { lines.withLock { $0 } }

    /// Every line so far, joined by newlines.
    public var text: String { all.joined(separator: "\n") }
}
