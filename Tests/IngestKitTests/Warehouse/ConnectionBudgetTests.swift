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
        let pool = Pool<Int>(capacity: 2, make: { _ in
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
        let pool = Pool<Int>(capacity: 1, make: { _ in
            let attempt = attempts.withLock { $0 += 1; return $0 }
            if attempt == 1 { throw IngestError("refused") }
            return attempt
        }, destroy: { _ in })
        await #expect(throws: IngestError.self) { try await pool.with { _ in } }
        #expect(try await pool.with { $0 } == 2, "the slot of the failed open is free again")
    }

    @Test func whenTheServerIsFullTasksShareTheConnectionsTheProcessHas() async throws {
        let made = Mutex(0)
        // The server takes one connection; every further open is refused for its connection limit.
        let pool = Pool<Int>(capacity: 4, make: { patient in
            try made.withLock { made in
                guard made == 0 || patient else { throw Pool<Int>.ServerFull(error: IngestError("server full")) }
                made += 1
                return made
            }
        }, destroy: { _ in })
        let used = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { try await pool.with { connection in await Task.yield(); return connection } } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(used == Array(repeating: 1, count: 8), "all eight ran, on the one connection there is")
        #expect(made.withLock { $0 } == 1)
    }

    @Test func aTaskWaitingForASharedConnectionGivesUpAfterTheWait() async throws {
        let pool = Pool<Int>(capacity: 2, shareWait: .milliseconds(50), make: { patient in
            guard patient else { throw Pool<Int>.ServerFull(error: IngestError("server full")) }
            return 1
        }, destroy: { _ in })
        // The one connection stays lent out until the second task has given up.
        await #expect(throws: IngestError("server full")) {
            try await pool.with { _ in try await pool.with { _ in } }
        }
    }

    /// Against a real server: a role allowed 2 connections, a warehouse of 4; 12 statements at once all run.
    @Test func aWarehouseWhoseServerIsFullRunsOnTheConnectionsItHas() async throws {
        let test = try await TestPlatform.make(.postgres)
        let role = try await test.connectionLimitedRole(2)
        let warehouse = try await PostgresWarehouse.connect(try WarehouseConfiguration.parsePostgres(role.url), connections: 4,
                                                             budget: PostgresBudget())
        let seen = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    let rows = try await warehouse.execute("""
                        SELECT count(*) AS n FROM pg_stat_activity, pg_sleep(0.05) WHERE usename = current_user
                        """)
                    return Int(rows.first?["n"] ?? "") ?? -1
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        await warehouse.close()
        try await role.drop()
        #expect(seen.count == 12 && seen.allSatisfy { (1...2).contains($0) }, "\(seen)")
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
