/// Retries with exponential backoff and jitter, within a bounded total time.
///
/// The operation says what a failure is: `transient` (retry, optionally after
/// the server's Retry-After) or `permanent` (stop now). Other errors are permanent.
public struct RetryPolicy: Sendable {
    public enum Failure: Error, CustomStringConvertible, Sendable {
        case transient(String, retryAfter: Duration? = nil)
        case permanent(String)

        public var description: String {
            switch self {
            case .transient(let text, _), .permanent(let text): return text
            }
        }
    }

    public var maxAttempts: Int
    public var initialDelay: Duration
    public var maxDelay: Duration
    /// The most time spent waiting between attempts, in all.
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

    /// The wait before attempt `attempt + 1` (attempt counts from 1): full jitter over an exponential cap.
    public func delay(after attempt: Int, retryAfter: Duration?) -> Duration {
        if let retryAfter { return min(retryAfter, maxDelay) }
        let exponent = min(attempt - 1, 20)
        let cap = min(initialDelay * (1 << exponent), maxDelay)
        let capMillis = max(1, Int(cap.components.seconds * 1000 + cap.components.attoseconds / 1_000_000_000_000_000))
        return .milliseconds(Int.random(in: capMillis / 2...capMillis))
    }

    public func run<T: Sendable>(describe: @Sendable () -> String, _ operation: @Sendable () async throws -> T) async throws -> T {
        var waited = Duration.zero
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch Failure.transient(let text, let retryAfter) {
                let wait = delay(after: attempt, retryAfter: retryAfter)
                guard attempt < maxAttempts, waited + wait <= maxTotalDelay else {
                    throw IngestError("\(text); gave up after \(attempt) attempt(s)", fix: "check that \(describe()) is reachable and try again later")
                }
                try await Task.sleep(for: wait)
                waited += wait
                attempt += 1
            } catch Failure.permanent(let text) {
                throw IngestError(text)
            }
        }
    }
}
