import Foundation
@testable import IngestKit
import IngestTestSupport
import Synchronization
import Testing

/// The connection budget: the pool opens connections only when asked, never more than its capacity, and
/// closes the idle ones when a step ends; the settings that size it are checked.
@Suite struct ConnectionBudgetTests {
    final class Opened: Sendable {
        let counts = Mutex((open: 0, made: 0, destroyed: 0))
    }

    @Test func thePoolOpensOnDemandWithinItsCapacityAndClosesIdleOnes() async throws {
        let opened = Opened()
        let pool = Pool<Int>(capacity: 2, make: {
            opened.counts.withLock { $0.open += 1; $0.made += 1; return $0.made }
        }, destroy: { _ in opened.counts.withLock { $0.open -= 1; $0.destroyed += 1 } })
        #expect(opened.counts.withLock { $0.made } == 0, "nothing is opened before a statement needs it")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask { try await pool.with { _ in await Task.yield() } }
            }
            try await group.waitForAll()
        }
        #expect(pool.peak <= 2, "at most the capacity at once: \(pool.peak)")
        let afterBurst = opened.counts.withLock { $0 }
        #expect(afterBurst.made >= 1 && afterBurst.made <= 2 && afterBurst.open == afterBurst.made)
        await pool.closeIdle()
        #expect(opened.counts.withLock { $0.open } == 0, "a step's end closes every idle connection")
        try await pool.with { _ in }
        #expect(opened.counts.withLock { $0.open } == 1, "the next statement opens one again")
    }

    @Test func aFailedOpenFreesItsSlot() async throws {
        let attempts = Mutex(0)
        let pool = Pool<Int>(capacity: 1, make: {
            let attempt = attempts.withLock { $0 += 1; return $0 }
            if attempt == 1 { throw IngestError("refused") }
            return attempt
        }, destroy: { _ in })
        await #expect(throws: IngestError.self) { try await pool.with { _ in } }
        #expect(try await pool.with { $0 } == 2, "the slot of the failed open is free again")
    }

    @Test func theBudgetSettingsAreCheckedAndNamed() throws {
        let budget = try PostgresBudget.from(Settings(values: ["INGEST_PG_MAX_CONNECTIONS": "3", "INGEST_LOCK_TIMEOUT_SECONDS": "2"]))
        #expect(budget.maxConnections == 3 && budget.lockTimeoutSeconds == 2 && budget.connectWaitSeconds == 60 && budget.leaseSeconds == 60)
        #expect(budget.stepConnections(threads: 4) == 2, "one of the three is kept for the lease")
        #expect(PostgresBudget().stepConnections(threads: 4) == 4)
        #expect(throws: IngestError("INGEST_PG_MAX_CONNECTIONS=1 is not a whole number of at least 2",
                                    fix: "set INGEST_PG_MAX_CONNECTIONS to a whole number of at least 2, or unset it for the default")) {
            try PostgresBudget.from(Settings(values: ["INGEST_PG_MAX_CONNECTIONS": "1"]))
        }
    }
}
