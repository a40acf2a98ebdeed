import Foundation
import IngestCommon
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

extension SQLiteWarehouse {
    public func lockDataset(_ name: String, holder: String, waitSeconds: Int, say: @escaping @Sendable (String) -> Void) async throws -> any DatasetLock {
        try await FileDatasetLock.acquire(directory: directory, name: name, waitSeconds: waitSeconds, say: say)
    }
}
