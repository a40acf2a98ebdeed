import Synchronization

/// Database connections lent out one task at a time, opened only when a task needs one
/// (at most `capacity` at once) and closed by `closeIdle()` when a step ends.
/// Waiters are suspended, never blocked, and served in order.
final class Pool<Resource: Sendable>: Sendable {
    private struct State {
        var free: [Resource] = []
        var waiters: [CheckedContinuation<Resource?, Never>] = []
        /// Resources open or being opened.
        var open = 0
        var peak = 0
    }

    private let state = Mutex(State())
    /// At most this many resources at once.
    let capacity: Int
    private let make: @Sendable () async throws -> Resource
    private let destroy: @Sendable (Resource) async -> Void

    init(capacity: Int, make: @escaping @Sendable () async throws -> Resource, destroy: @escaping @Sendable (Resource) async -> Void) {
        self.capacity = max(1, capacity)
        self.make = make
        self.destroy = destroy
    }

    func with<T: Sendable>(_ body: (Resource) async throws -> T) async throws -> T {
        let resource = try await acquire()
        defer { release(resource) }
        return try await body(resource)
    }

    /// The most resources open at once so far.
    var peak: Int { state.withLock { $0.peak } }

    private enum Next { case take(Resource), open, wait }

    private func acquire() async throws -> Resource {
        let resource = await withCheckedContinuation { (continuation: CheckedContinuation<Resource?, Never>) in
            let next = state.withLock { state -> Next in
                if let resource = state.free.popLast() { return .take(resource) }
                if state.open < capacity {
                    state.open += 1
                    state.peak = max(state.peak, state.open)
                    return .open
                }
                state.waiters.append(continuation)
                return .wait
            }
            switch next {
            case .take(let resource): continuation.resume(returning: resource)
            case .open: continuation.resume(returning: nil)
            case .wait: break
            }
        }
        if let resource { return resource }
        // `nil`: this task holds a free slot (under capacity, or handed on by a failed open), and opens one.
        do {
            return try await make()
        } catch {
            slotFreed()
            throw error
        }
    }

    /// A failed open frees its slot: the next waiter may try to open one.
    private func slotFreed() {
        let waiter = state.withLock { state -> CheckedContinuation<Resource?, Never>? in
            state.open -= 1
            guard !state.waiters.isEmpty else { return nil }
            state.open += 1
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: nil)
    }

    private func release(_ resource: Resource) {
        let waiter = state.withLock { state -> CheckedContinuation<Resource?, Never>? in
            if state.waiters.isEmpty {
                state.free.append(resource)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: resource)
    }

    /// Closes the resources no task is using; the next task opens a new one.
    func closeIdle() async {
        let idle = state.withLock { state -> [Resource] in
            let idle = state.free
            state.free = []
            state.open -= idle.count
            return idle
        }
        for resource in idle { await destroy(resource) }
    }
}
