import Foundation
import IngestCommon
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Held for a whole run of one dataset, so two runs of the same dataset never
/// interleave (and the second reads the watermark the first one wrote), while
/// runs of other datasets proceed in parallel. A killed process releases it.
public protocol DatasetLock: Sendable {
    func release() async
}

/// How long a run waits for another run of its dataset (`INGEST_LOCK_WAIT_SECONDS`, default 900).
public enum DatasetLockWait {
    public static func seconds(_ settings: Settings) -> Int {
        settings["INGEST_LOCK_WAIT_SECONDS"].flatMap { Int($0) }.map { max(0, $0) } ?? 900
    }

    static func timedOut(_ name: String, _ seconds: Int) -> IngestError {
        IngestError("another run of \(name) still holds the dataset lock after \(seconds) s",
                    fix: "wait for it to finish (see `ingestctl state \(name)`), or raise INGEST_LOCK_WAIT_SECONDS")
    }
}

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

/// SQLite: an exclusive `flock` on `locks/<source>.<dataset>.lock` in the
/// warehouse folder; the kernel releases it when the process ends. (Loads are
/// also serialized by SQLite's single writer: `BEGIN IMMEDIATE`.)
final class FileDatasetLock: DatasetLock {
    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    static func acquire(directory: String, name: String, waitSeconds: Int,
                        say: @Sendable (String) -> Void) async throws -> FileDatasetLock {
        let folder = (directory as NSString).appendingPathComponent("locks")
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = (folder as NSString).appendingPathComponent("\(name).lock")
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw IngestError("cannot open the dataset lock file \(path)", fix: "make the warehouse folder writable (INGEST_HOME)")
        }
        let deadline = ContinuousClock.now + .seconds(waitSeconds)
        var told = false
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            if !told {
                say("another run of \(name) is in progress: waiting up to \(waitSeconds) s for it to finish")
                told = true
            }
            guard ContinuousClock.now < deadline else {
                close(descriptor)
                throw DatasetLockWait.timedOut(name, waitSeconds)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return FileDatasetLock(descriptor: descriptor)
    }

    func release() async {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

extension PostgresWarehouse {
    public func lockDataset(_ name: String, waitSeconds: Int, say: @escaping @Sendable (String) -> Void) async throws -> any DatasetLock {
        try await PostgresDatasetLock.acquire(url: url, name: name, waitSeconds: waitSeconds, say: say)
    }
}

extension SQLiteWarehouse {
    public func lockDataset(_ name: String, waitSeconds: Int, say: @escaping @Sendable (String) -> Void) async throws -> any DatasetLock {
        try await FileDatasetLock.acquire(directory: directory, name: name, waitSeconds: waitSeconds, say: say)
    }
}
