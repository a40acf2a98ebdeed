import IngestCommon

extension Warehouse {
    /// A transaction whose lock waits are bounded: on PostgreSQL it starts with `SET LOCAL lock_timeout`
    /// (`INGEST_LOCK_TIMEOUT_SECONDS`, default 10; nothing outlives the transaction), and one that times out
    /// (55P03) is rolled back and tried again with backoff, at most 6 times. So a waiting DDL or publish holds up
    /// the queries queued behind it for at most that long at a time. A transaction the server ended to break a
    /// deadlock (40P01, already rolled back) is tried again the same way, with a notice. `what` names it in the error.
    ///
    /// - Throws: the body's errors; an `IngestError` naming `what` when every try timed out.
    package func boundedTransaction<T: Sendable>(_ what: String, _ body: @Sendable (any SQLSession) async throws -> T) async throws -> T {
        guard let seconds = (self as? any PooledWarehouse)?.lockTimeoutSeconds else { return try await transaction(body) }
        let retry = RetryPolicy(initialDelay: .milliseconds(200), maxDelay: .seconds(5))
        let attempts = 6
        for attempt in 1... {
            do {
                return try await transaction { session in
                    try await session.execute("SET LOCAL lock_timeout = '\(seconds)s'")
                    return try await body(session)
                }
            } catch let error as WarehouseError where error.sqlState == .lockNotAvailable {
                guard attempt < attempts else {
                    throw IngestError("\(what) waited \(seconds) s for a lock \(attempts) times: another session holds it (a long query or open transaction on that relation)",
                                      fix: "find it in pg_stat_activity and pg_locks and end it, or raise INGEST_LOCK_TIMEOUT_SECONDS")
                }
                try await Task.sleep(for: retry.delay(after: attempt, retryAfter: nil))
            } catch let error as WarehouseError where error.sqlState == .deadlockDetected && attempt < attempts {
                RunNotes.notice("\(what) was rolled back by the server to break a deadlock (40P01) and ran again")
                try await Task.sleep(for: retry.delay(after: attempt, retryAfter: nil))
            }
        }
        fatalError("unreachable")
    }

    /// Makes the warehouse have what `plan` says is missing: `plan` reads the catalog and returns the DDL to run
    /// (empty: nothing changed, nothing is written). On PostgreSQL the DDL runs in one transaction under
    /// `pg_advisory_xact_lock`, with `plan` read again inside it, so two processes never create or alter the same
    /// relation at once (no 23505 from the catalog, no column added twice); its lock waits are bounded
    /// (`boundedTransaction`) and nothing is held after it commits (it works through PgBouncer in transaction mode).
    /// On SQLite, whose one writer serializes DDL, the statements run as they are.
    /// - Returns: the statements it ran (empty when nothing was missing).
    @discardableResult
    package func ensureCatalog(_ what: String, plan: @Sendable (any SQLSession) async throws -> [String]) async throws -> [String] {
        let needed = try await plan(self)
        guard !needed.isEmpty else { return [] }
        guard dialect == .postgres else {
            for statement in needed { try await execute(statement) }
            return needed
        }
        for attempt in 1... {
            do {
                return try await boundedTransaction("creating \(what)") { session in
                    try await session.execute("SELECT 1 AS ok FROM (SELECT pg_advisory_xact_lock(('x' || substr(md5('ingestkit:setup'), 1, 16))::bit(64)::bigint)) AS locked")
                    let statements = try await plan(session)
                    for statement in statements { try await session.execute(statement) }
                    return statements
                }
            } catch let error as WarehouseError where attempt < 3 && (error.sqlState == .uniqueViolation || error.sqlState == .duplicateSchema) {
                // A process of an older version (DDL outside this lock) created the same name at that moment: the next try finds it.
            }
        }
        fatalError("unreachable")
    }

    /// `ensureCatalog` of relations created by `statements` (`IF NOT EXISTS`), when `relation` (`schema.name`) is missing.
    @discardableResult
    package func ensureCatalog(_ relation: (schema: String, name: String), _ statements: [String]) async throws -> [String] {
        let name = dialect.qualified(relation.schema, relation.name)
        return try await ensureCatalog(name) { session in
            guard session.dialect == .postgres else { return statements }
            let found = try await session.execute("SELECT to_regclass(\(text: name)) IS NOT NULL AS ok").first?["ok"] == "true"
            return found ? [] : statements
        }
    }
}
