import IngestCommon

/// PostgreSQL: a session-level advisory lock on a hash of `source.dataset`, held
/// on a connection of its own; the server releases it when that session ends,
/// also when the process is killed.
final class PostgresDatasetLock: DatasetLock {
    private let holder: PostgresWarehouse

    private init(holder: PostgresWarehouse) { self.holder = holder }

    /// The advisory lock's key: 64 bits of the md5 of `ingestkit:<source>.<dataset>`.
    static func key(_ name: String) -> SQLStatement {
        "('x' || substr(md5(\(text: "ingestkit:" + name)), 1, 16))::bit(64)::bigint"
    }

    static func acquire(url: WarehouseConfiguration.PostgresURL, name: String, waitSeconds: Int,
                        say: @Sendable (String) -> Void) async throws -> PostgresDatasetLock {
        let holder = try await PostgresWarehouse.connect(url)
        do {
            if try await holder.execute("SELECT pg_try_advisory_lock(" + key(name) + ") AS ok").first?["ok"] != "true" {
                say("another run of \(name) is in progress: waiting up to \(waitSeconds) s for it to finish")
                _ = try await holder.execute("SET lock_timeout = '\(max(1, waitSeconds))s'")
                do {
                    _ = try await holder.execute("SELECT 1 AS ok FROM (SELECT pg_advisory_lock(" + key(name) + ")) AS locked")
                } catch let error as WarehouseError where error.sqlState == .lockNotAvailable {
                    throw DatasetLockWait.timedOut(name, waitSeconds)
                }
                _ = try await holder.execute("SET lock_timeout = 0")
            }
            return PostgresDatasetLock(holder: holder)
        } catch {
            await holder.close()
            throw error
        }
    }

    func release() async { await holder.close() }
}

extension PostgresWarehouse {
    public func lockDataset(_ name: String, waitSeconds: Int, say: @escaping @Sendable (String) -> Void) async throws -> any DatasetLock {
        try await PostgresDatasetLock.acquire(url: url, name: name, waitSeconds: waitSeconds, say: say)
    }
}
