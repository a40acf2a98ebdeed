/// Runs a CPU-heavy stage (read from bronze, parse, checksum, encode) over a run's
/// artifacts on all cores while the consumer (the load) takes the results in
/// manifest order.
///
/// At most `window` artifacts are in flight or waiting: when the load is slower
/// than the parsers, no new artifact is started until it catches up. Memory thus
/// depends on the window and the size of one artifact, never on the number of
/// rows or artifacts in the run. The stage is a closure, so a faster decoder
/// plugs in without touching the load.
enum ParallelParse {
    static var defaultWindow: Int { max(4, ProcessInfoCores.count * 4) }

    static func forEach<T: Sendable>(
        count: Int, window: Int = defaultWindow,
        produce: @escaping @Sendable (Int) async throws -> T,
        consume: (Int, T) async throws -> Void
    ) async throws {
        guard count > 0 else { return }
        try await withThrowingTaskGroup(of: (Int, T).self) { group in
            var next = 0
            var emitted = 0
            var ready: [Int: T] = [:]
            func start() {
                let index = next
                group.addTask { (index, try await produce(index)) }
                next += 1
            }
            while next < min(count, max(1, window)) { start() }
            while emitted < count, let (index, value) = try await group.next() {
                ready[index] = value
                while let value = ready.removeValue(forKey: emitted) {
                    try await consume(emitted, value)
                    emitted += 1
                    if next < count { start() }
                }
            }
        }
    }
}

import Foundation

enum ProcessInfoCores {
    static var count: Int { ProcessInfo.processInfo.activeProcessorCount }
}
