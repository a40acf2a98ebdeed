import IngestCommon

/// Held while a process runs steps of one dataset, so two runs of the same dataset never
/// interleave (and the second reads the watermark the first one wrote), while
/// runs of other datasets proceed in parallel. A killed process's lock is released
/// (SQLite: by the kernel) or lapses (PostgreSQL: its lease expires, `INGEST_LOCK_LEASE_SECONDS`).
public protocol DatasetLock: Sendable {
    func release() async
}

/// A lock that can be lost while held: PostgreSQL's lease, when its holder could not renew it in time.
package protocol LosableLock: DatasetLock {
    /// Throws, naming the dataset and `next` (the step about to run), once another run may hold the dataset.
    func ensureHeld(before next: String) throws
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
