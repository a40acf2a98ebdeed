import IngestCommon

/// How a process uses PostgreSQL, from settings: how many connections it may hold, how long it
/// waits for one, and how long its dataset lease lasts without renewal.
package struct PostgresBudget: Sendable, Equatable {
    /// The most connections the process holds at once, its dataset lease's included
    /// (`INGEST_PG_MAX_CONNECTIONS`; `nil`, unset: one per model thread plus the lease's).
    package var maxConnections: Int?
    /// Seconds connecting keeps retrying while the server refuses for its connection limit (SQLSTATE 53300)
    /// or because it is starting up (57P03) (`INGEST_PG_CONNECT_WAIT_SECONDS`, default 60).
    package var connectWaitSeconds: Int
    /// Seconds a dataset lease lasts unless its holder renews it (`INGEST_LOCK_LEASE_SECONDS`, default 60);
    /// the holder renews it every third of that, so a killed holder's lease is taken over at most this long after it died.
    package var leaseSeconds: Int
    /// Seconds DDL and a model publish wait for a lock before they give up and try again
    /// (`INGEST_LOCK_TIMEOUT_SECONDS`, default 10; `SET LOCAL lock_timeout`).
    package var lockTimeoutSeconds: Int

    package init(maxConnections: Int? = nil, connectWaitSeconds: Int = 60, leaseSeconds: Int = 60, lockTimeoutSeconds: Int = 10) {
        self.maxConnections = maxConnections
        self.connectWaitSeconds = connectWaitSeconds
        self.leaseSeconds = leaseSeconds
        self.lockTimeoutSeconds = lockTimeoutSeconds
    }

    package static func from(_ settings: Settings) throws -> PostgresBudget {
        func number(_ name: String, minimum: Int) throws -> Int? {
            guard let text = settings[name] else { return nil }
            guard let value = Int(text), value >= minimum else {
                throw IngestError("\(name)=\(text) is not a whole number of at least \(minimum)", fix: "set \(name) to a whole number of at least \(minimum), or unset it for the default")
            }
            return value
        }
        return PostgresBudget(maxConnections: try number("INGEST_PG_MAX_CONNECTIONS", minimum: 2),
                              connectWaitSeconds: try number("INGEST_PG_CONNECT_WAIT_SECONDS", minimum: 0) ?? 60,
                              leaseSeconds: try number("INGEST_LOCK_LEASE_SECONDS", minimum: 3) ?? 60,
                              lockTimeoutSeconds: try number("INGEST_LOCK_TIMEOUT_SECONDS", minimum: 1) ?? 10)
    }

    /// Connections for the steps of a process with `threads` model threads: one for the lease is kept out of the cap.
    package func stepConnections(threads: Int) -> Int {
        guard let maxConnections else { return max(1, threads) }
        return max(1, min(threads, maxConnections - 1))
    }
}
