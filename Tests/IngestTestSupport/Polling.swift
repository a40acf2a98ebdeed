import IngestKit

/// Polls `condition` every `interval` until it holds or `limit` passed; whether it came true.
/// Waits are bounded by a generous limit, never timed: a busy machine only makes them longer.
public func eventually(_ limit: Duration = .seconds(30), every interval: Duration = .milliseconds(100),
                       _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return await condition()
}

/// Polls a condition every 20 ms until it holds; throws, naming `what`, after a generous deadline.
public func waitUntil(_ what: String, deadline: Duration = .seconds(120), _ condition: () async -> Bool) async throws {
    guard await eventually(deadline, every: .milliseconds(20), condition) else {
        throw IngestError("gave up waiting: \(what)")
    }
}
