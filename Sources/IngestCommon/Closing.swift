/// Runs `body` with `resource`, then `close`s it — awaiting the close — whether `body` returned or threw.
///
/// The scoped form behind `Platform.withWarehouse`, `withDemoServer` and `Browser.withBrowser`:
/// the type that opened a resource closes it on every path.
public func withClosing<Resource, T>(_ resource: Resource, close: (Resource) async -> Void,
                                     _ body: (Resource) async throws -> T) async throws -> T {
    let result: T
    do {
        result = try await body(resource)
    } catch {
        await close(resource)
        throw error
    }
    await close(resource)
    return result
}
