import Foundation
import Synchronization

/// A per-source limit on requests: at most `maxConcurrent` in flight and at
/// most `requestsPerSecond` started, spaced evenly. Requests wait their turn in order.
public actor RequestLimiter {
    public let maxConcurrent: Int?
    public let requestsPerSecond: Double?
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var nextStart: ContinuousClock.Instant?
    private let clock = ContinuousClock()
    /// Each request's turn (the last 10,000): its slot under the rate, else when it was let through.
    public private(set) var starts: [ContinuousClock.Instant] = []

    public init(maxConcurrent: Int? = nil, requestsPerSecond: Double? = nil) {
        self.maxConcurrent = maxConcurrent.map { max(1, $0) }
        self.requestsPerSecond = requestsPerSecond.flatMap { $0 > 0 ? $0 : nil }
    }

    /// Requests waiting for a free slot now.
    public var queued: Int { waiting.count }

    /// The spacing between request starts.
    public var interval: Duration? {
        requestsPerSecond.map { .nanoseconds(Int64(1_000_000_000 / $0)) }
    }

    /// Waits for a free slot and for the request's turn under the rate; pair it with `release()`.
    public func acquire() async throws {
        if let maxConcurrent, running >= maxConcurrent {
            await withCheckedContinuation { waiting.append($0) }  // release() hands its slot over
        } else {
            running += 1
        }
        var turn = clock.now
        if let interval {
            let now = clock.now
            let slot = max(now, nextStart ?? now)
            nextStart = slot + interval
            turn = slot
            do {
                try await clock.sleep(until: slot)
            } catch {
                release()
                throw error
            }
        }
        starts.append(turn)
        if starts.count > 10_000 { starts.removeFirst(starts.count - 10_000) }
    }

    public func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }

    private static let registry = Mutex<[String: RequestLimiter]>([:])

    /// The limiter of one source (e.g. keyed by its base URL), shared by all its datasets in this process.
    public static func shared(_ key: String, maxConcurrent: Int?, requestsPerSecond: Double?) -> RequestLimiter {
        let fullKey = "\(key)|\(maxConcurrent ?? 0)|\(requestsPerSecond ?? 0)"
        return registry.withLock { limiters in
            if let existing = limiters[fullKey] { return existing }
            let limiter = RequestLimiter(maxConcurrent: maxConcurrent, requestsPerSecond: requestsPerSecond)
            limiters[fullKey] = limiter
            return limiter
        }
    }
}
