import IngestKit

/// Calls `body` every `interval` until it returns a value (not `nil`) or `limit` passed: that value, or `nil`.
/// The tests' one polling loop: waits are bounded by a generous limit, never timed, so a busy machine only
/// makes them longer. An error `body` throws ends the wait (callers that retry errors catch them in `body`).
public func eventualValue<T>(_ limit: Duration = .seconds(30), every interval: Duration = .milliseconds(100),
                    _ body: () async throws -> T?) async rethrows -> T? {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if let value = try await body() { return value }
        try? await Task.sleep(for: interval)
    }
    return try await body()
}

/// Polls `condition` every `interval` until it holds or `limit` passed; whether it came true.
public func eventually(_ limit: Duration = .seconds(30), every interval: Duration = .milliseconds(100),
                       _ condition: () async -> Bool) async -> Bool {
    await eventualValue(limit, every: interval) { () async -> Bool? in await condition() ? true : nil } ?? false
}

/// Polls a condition every 20 ms until it holds; throws, naming `what`, after a generous deadline.
public func waitUntil(_ what: String, deadline: Duration = .seconds(120), _ condition: () async -> Bool) async throws {
    guard await eventually(deadline, every: .milliseconds(20), condition) else {
        throw IngestError("gave up waiting: \(what)")
    }
}
