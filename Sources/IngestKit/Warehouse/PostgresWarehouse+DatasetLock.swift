import IngestCommon
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// PostgreSQL: a lease, one row of `staging.dataset_leases` per time a process held a dataset.
///
/// It is taken, renewed and released in short transactions of their own and no session state
/// outlives them, so it holds through PgBouncer in transaction mode. The row held now is the one
/// with no `released_at` (a unique index allows one per dataset); it lasts `leaseSeconds` unless
/// renewed (every third of that while the process lives), so a killed holder's lease lapses and the
/// next run takes it over. `acquired_at` and `released_at` stay, so when runs held a dataset can
/// be checked.
final class PostgresDatasetLease: LosableLock {
    static let schema = "staging"
    static let table = "dataset_leases"
    static var name: String { SQLDialect.postgres.qualified(schema, table) }

    static var createStatements: [String] {
        [
            "CREATE SCHEMA IF NOT EXISTS \(SQLDialect.postgres.quote(schema))",
            """
            CREATE TABLE IF NOT EXISTS \(name) (
                "lease_id" bigserial PRIMARY KEY,
                "dataset" text NOT NULL,
                "holder_run_id" text NOT NULL,
                "acquired_at" timestamptz NOT NULL,
                "renewed_at" timestamptz NOT NULL,
                "expires_at" timestamptz NOT NULL,
                "released_at" timestamptz,
                "lapsed" boolean NOT NULL DEFAULT false
            )
            """,
            "CREATE UNIQUE INDEX IF NOT EXISTS \"dataset_leases__held__idx\" ON \(name) (\"dataset\") WHERE \"released_at\" IS NULL",
        ]
    }

    private let warehouse: PostgresWarehouse
    private let leaseId: String
    private let name: String
    private let seconds: Int
    private let renewal: RepeatedTask
    private let lost: Lost

    /// Set when a renewal found the lease lapsed.
    final class Lost: Sendable {
        private let value = Mutex(false)
        func set() { value.withLock { $0 = true } }
        var isSet: Bool { value.withLock { $0 } }
    }

    private init(warehouse: PostgresWarehouse, leaseId: String, name: String, seconds: Int, renewal: RepeatedTask, lost: Lost) {
        self.warehouse = warehouse
        self.leaseId = leaseId
        self.name = name
        self.seconds = seconds
        self.renewal = renewal
        self.lost = lost
    }

    static func acquire(_ url: WarehouseConfiguration.PostgresURL, budget: PostgresBudget, name: String, holder: String,
                        waitSeconds: Int, say: @escaping @Sendable (String) -> Void) async throws -> PostgresDatasetLease {
        // The lease's own connection, opened for each of its short transactions.
        let warehouse = PostgresWarehouse.lazy(url, connections: 1, budget: budget)
        do {
            try await warehouse.ensureCatalog((schema, table), createStatements)
            let deadline = ContinuousClock.now + .seconds(waitSeconds)
            var told = false
            var attempt = 0
            while true {
                attempt += 1
                let (leaseId, lapsed) = try await take(name, holder: holder, seconds: budget.leaseSeconds, in: warehouse)
                if let lapsed { say("took over the lease on \(name) of run \(lapsed), which stopped renewing it (killed?) \(budget.leaseSeconds) s or more ago") }
                if let leaseId {
                    await warehouse.closeIdleConnections()
                    let lost = Lost()
                    let renewal = try renew(leaseId, of: name, url: url, seconds: budget.leaseSeconds, lost: lost, say: say)
                    return PostgresDatasetLease(warehouse: warehouse, leaseId: leaseId, name: name, seconds: budget.leaseSeconds,
                                                renewal: renewal, lost: lost)
                }
                if !told {
                    say("another run of \(name) is in progress: waiting up to \(waitSeconds) s for it to finish")
                    told = true
                }
                await warehouse.closeIdleConnections()
                let delay = RetryPolicy(initialDelay: .milliseconds(200), maxDelay: .seconds(2)).delay(after: attempt, retryAfter: nil)
                guard ContinuousClock.now + delay < deadline else { throw DatasetLockWait.timedOut(name, waitSeconds) }
                try await Task.sleep(for: delay)
            }
        } catch {
            await warehouse.close()
            throw error
        }
    }

    /// One try: lapses an expired lease of `name`, then takes it if no one holds it.
    /// Returns the new lease's id (`nil`: held) and the run whose expired lease lapsed.
    private static func take(_ name: String, holder: String, seconds: Int,
                             in warehouse: PostgresWarehouse) async throws -> (String?, lapsed: String?) {
        try await warehouse.transaction { session in
            let lapsed = try await session.execute("""
                UPDATE \(raw: Self.name) SET "released_at" = "expires_at", "lapsed" = true
                WHERE "dataset" = \(text: name) AND "released_at" IS NULL AND "expires_at" <= clock_timestamp()
                RETURNING "holder_run_id"
                """).first?["holder_run_id"]
            let taken = try await session.execute("""
                INSERT INTO \(raw: Self.name) ("dataset", "holder_run_id", "acquired_at", "renewed_at", "expires_at")
                VALUES (\(text: name), \(text: holder), clock_timestamp(), clock_timestamp(), clock_timestamp() + make_interval(secs => \(integer: seconds)))
                ON CONFLICT ("dataset") WHERE "released_at" IS NULL DO NOTHING
                RETURNING "lease_id"
                """).first?["lease_id"]
            return (taken, lapsed)
        }
    }

    /// Pushes the lease's expiry on every third of `seconds`, each time on a connection of its own, until cancelled; a
    /// failed renewal is tried again at the next. It runs on a NIO event loop, not Swift's cooperative pool, so CPU-bound
    /// work of the process (parsing, hashing) cannot starve it into letting the lease lapse.
    private static func renew(_ leaseId: String, of name: String, url: WarehouseConfiguration.PostgresURL, seconds: Int,
                              lost: Lost, say: @escaping @Sendable (String) -> Void) throws -> RepeatedTask {
        let configuration = try PostgresWarehouse.connectionConfiguration(url)
        let logger = Logger(label: "ingestkit.lease", factory: { _ in SwiftLogNoOpLogHandler() })
        let statement: SQLStatement = """
            UPDATE \(raw: Self.name) SET "renewed_at" = clock_timestamp(), "expires_at" = clock_timestamp() + make_interval(secs => \(integer: seconds))
            WHERE "lease_id" = \(integer: Int(leaseId) ?? -1) AND "released_at" IS NULL
            RETURNING "lease_id"
            """
        let (sql, binds) = statement.rendered(.postgres)
        let interval = TimeAmount.seconds(Int64(max(1, seconds / 3)))
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        return eventLoop.scheduleRepeatedAsyncTask(initialDelay: interval, delay: interval) { task in
            var bindings = PostgresBindings(capacity: binds.count)
            for value in binds { if let text = value.canonicalText { bindings.append(text) } else { bindings.appendNull() } }
            let query = PostgresQuery(unsafeSQL: sql, binds: bindings)
            return PostgresConnection.connect(on: eventLoop, configuration: configuration, id: 0, logger: logger).flatMap { connection in
                connection.query(query, logger: logger).flatMapWithEventLoop { result, _ in
                    connection.close().map { result.rows.count }
                }.flatMapError { error in connection.close().flatMapThrowing { throw error } }
            }.map { renewed in
                if renewed == 0 {
                    lost.set()
                    say("the lease on \(name) lapsed before this run renewed it (it could not reach the warehouse for \(seconds) s); another run may hold it now")
                    task.cancel()
                }
            }.recover { error in
                let reason = (error as? PSQLError).map { WarehouseError(sql: sql, postgres: $0).description } ?? String(describing: error)
                say("could not renew the lease on \(name) (will retry in \(max(1, seconds / 3)) s): \(Redactor.shared.redact(reason))")
            }
        }
    }

    func ensureHeld(before next: String) throws {
        guard lost.isSet else { return }
        throw IngestError("the lease on \(name) lapsed while this run held it (it could not renew it for \(seconds) s: the process was stopped "
                              + "or cut off from the warehouse), and another run may hold it now: this run stops before its \(next) step",
                          fix: "run it again; raise INGEST_LOCK_LEASE_SECONDS if the warehouse is unreachable that long more often")
    }

    func release() async {
        // Waits for a renewal in flight, so the release's connection is the lease's only one (INGEST_PG_MAX_CONNECTIONS).
        let cancelled = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
        renewal.cancel(promise: cancelled)
        try? await cancelled.futureResult.get()
        _ = try? await warehouse.execute("""
            UPDATE \(raw: Self.name) SET "released_at" = clock_timestamp()
            WHERE "lease_id" = \(integer: Int(leaseId) ?? -1) AND "released_at" IS NULL
            """)
        await warehouse.close()
    }
}

extension PostgresWarehouse {
    public func lockDataset(_ name: String, holder: String, waitSeconds: Int, say: @escaping @Sendable (String) -> Void) async throws -> any DatasetLock {
        try await PostgresDatasetLease.acquire(url, budget: budget, name: name, holder: holder, waitSeconds: waitSeconds, say: say)
    }
}
