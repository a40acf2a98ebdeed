import Foundation

/// Retries with exponential backoff and jitter, within a bounded total time.
///
/// The operation says what a failure is: `transient` (retry, after the
/// server's Retry-After when it gave one) or `permanent` (stop now). Other
/// errors pass through unchanged and are not retried. Each retry is counted
/// in the run's notes by its `cause` (`RunNotes.retried`), so the run summary
/// says `3 requests retried: 503 ×2, 502 ×1`.
public struct RetryPolicy: Sendable {
    public enum Failure: Error, CustomStringConvertible, Sendable {
        /// `cause` is the short name a retry is counted under: a status (`503`), `timeout`, `connection failed`, …;
        /// `fix` is what the error says to do when the retries run out (default: check the server is reachable).
        case transient(String, retryAfter: Duration? = nil, cause: String? = nil, fix: String? = nil)
        case permanent(String)

        public var description: String {
            switch self {
            case .transient(let text, _, _, _), .permanent(let text): return text
            }
        }
    }

    public var maxAttempts: Int
    public var initialDelay: Duration
    /// The longest backoff between two attempts (a server's Retry-After may ask for more; it is honoured within `maxTotalDelay`).
    public var maxDelay: Duration
    /// The most time from the first attempt until the last retry starts: attempts, timeouts and waits together.
    public var maxTotalDelay: Duration

    public init(maxAttempts: Int = 5, initialDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(10),
                maxTotalDelay: Duration = .seconds(60)) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.maxTotalDelay = maxTotalDelay
    }

    public static let `default` = RetryPolicy()
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The wait before attempt `attempt + 1` (attempt counts from 1): the server's Retry-After when given,
    /// else full jitter (50–100 %) over an exponential cap.
    public func delay(after attempt: Int, retryAfter: Duration?) -> Duration {
        if let retryAfter { return max(retryAfter, .zero) }
        let exponent = min(attempt - 1, 20)
        let cap = min(initialDelay * (1 << exponent), maxDelay)
        let capMillis = max(1, Int(cap.components.seconds * 1000 + cap.components.attoseconds / 1_000_000_000_000_000))
        return .milliseconds(Int.random(in: capMillis / 2...capMillis))
    }

    public func run<T: Sendable>(describe: @Sendable () -> String, _ operation: @Sendable () async throws -> T) async throws -> T {
        let clock = ContinuousClock()
        let start = clock.now
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch Failure.transient(let text, let retryAfter, let cause, let fix) {
                let wait = delay(after: attempt, retryAfter: retryAfter)
                let elapsed = clock.now - start
                guard attempt < maxAttempts else {
                    throw IngestError("\(text); gave up after \(attempt) attempt(s)",
                                      fix: fix ?? "check that \(describe()) is reachable and try again later")
                }
                guard elapsed + wait <= maxTotalDelay else {
                    let asked = retryAfter.map { ", the server asked to wait \(Self.text($0))" } ?? ""
                    throw IngestError("\(text); gave up after \(attempt) attempt(s) in \(Self.text(elapsed))\(asked), past the retry bound of \(Self.text(maxTotalDelay))",
                                      fix: (fix ?? "check that \(describe()) is reachable and try again later") + ", or raise the retry bound")
                }
                RunNotes.retried(cause ?? "other failure")
                try await Task.sleep(for: wait)
                attempt += 1
            } catch Failure.permanent(let text) {
                throw IngestError(text)
            }
        }
    }

    /// A duration as `1.5s`, for messages.
    public static func text(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return String(format: "%.1fs", seconds)
    }
}
