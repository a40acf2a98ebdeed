import Synchronization

/// Database connections lent out one task at a time, opened only when a task needs one
/// (at most `capacity` at once) and closed by `closeIdle()` when a step ends.
/// Waiters are suspended, never blocked, and served in order.
///
/// When the server is full (`make(patient: false)` throws `ServerFull`) while other tasks of this pool hold
/// connections, a task waits for one of theirs instead of a new one, for at most `shareWait`: a process whose
/// server has no connection left runs on the ones it has (fewer model threads at once) rather than failing.
/// The only connection of a pool is opened patiently (`make(patient: true)`: retried for the connect wait).
final class Pool<Resource: Sendable>: Sendable {
    /// Thrown by `make(patient: false)` when the server refused for its connection limit; `error` is what to
    /// throw if no connection of this pool comes free in time.
    struct ServerFull: Error {
        let error: any Error
    }

    private enum Grant { case resource(Resource), slot, timedOut }

    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Grant, Never>
    }

    private struct State {
        var free: [Resource] = []
        var waiters: [Waiter] = []
        var nextWaiter = 0
        /// Resources open or being opened.
        var open = 0
        var peak = 0
    }

    private let state = Mutex(State())
    /// At most this many resources at once.
    let capacity: Int
    /// How long a task waits for another task's resource when the server is full.
    let shareWait: Duration
    private let make: @Sendable (_ patient: Bool) async throws -> Resource
    private let destroy: @Sendable (Resource) async -> Void

    init(capacity: Int, shareWait: Duration = .seconds(60), make: @escaping @Sendable (_ patient: Bool) async throws -> Resource,
         destroy: @escaping @Sendable (Resource) async -> Void) {
        self.capacity = max(1, capacity)
        self.shareWait = shareWait
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

    private func acquire() async throws -> Resource {
        var grant = await waitForGrant(givingBackSlot: false, until: nil)
        while true {
            switch grant {
            case .resource(let resource):
                return resource
            case .timedOut:
                fatalError("a wait without a deadline timed out")
            case .slot:
                // This task holds a slot (under capacity, or handed on by a failed open), and opens one.
                let patient = state.withLock { $0.open <= 1 }
                do {
                    return try await make(patient)
                } catch let full as ServerFull {
                    // The server is full but other tasks here hold connections: wait for one of theirs.
                    grant = await waitForGrant(givingBackSlot: true, until: .now + shareWait)
                    if case .timedOut = grant { throw full.error }
                } catch {
                    slotFreed()
                    throw error
                }
            }
        }
    }

    /// A free resource, a slot to open one in, or a turn in the queue. `givingBackSlot`: this task's open failed
    /// because the server is full; it gives its slot back and waits for a resource (or, when no other task holds
    /// one any more, takes the slot again and opens patiently). `until`: the latest a queued task waits.
    private func waitForGrant(givingBackSlot: Bool, until deadline: ContinuousClock.Instant?) async -> Grant {
        await withCheckedContinuation { (continuation: CheckedContinuation<Grant, Never>) in
            let (grant, waiterId) = state.withLock { state -> (Grant?, Int?) in
                if givingBackSlot { state.open -= 1 }
                if let resource = state.free.popLast() { return (.resource(resource), nil) }
                if givingBackSlot ? state.open == 0 : state.open < capacity {
                    state.open += 1
                    state.peak = max(state.peak, state.open)
                    return (.slot, nil)
                }
                state.nextWaiter += 1
                state.waiters.append(Waiter(id: state.nextWaiter, continuation: continuation))
                return (nil, state.nextWaiter)
            }
            if let grant {
                continuation.resume(returning: grant)
            } else if let deadline, let waiterId {
                Task { [weak self] in
                    try? await Task.sleep(until: deadline)
                    self?.timeOut(waiterId)
                }
            }
        }
    }

    private func timeOut(_ id: Int) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(returning: .timedOut)
    }

    /// A failed open frees its slot: the next waiter may try to open one.
    private func slotFreed() {
        let waiter = state.withLock { state -> Waiter? in
            state.open -= 1
            guard !state.waiters.isEmpty else { return nil }
            state.open += 1
            return state.waiters.removeFirst()
        }
        waiter?.continuation.resume(returning: .slot)
    }

    private func release(_ resource: Resource) {
        let waiter = state.withLock { state -> Waiter? in
            if state.waiters.isEmpty {
                state.free.append(resource)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.continuation.resume(returning: .resource(resource))
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
