import IngestCommon

/// Starts a source's built-in demo server on its fixed port, read from `portVariable`
/// (default `defaultPort`), or on any free port with a note when that one is busy.
///
/// A fixed port keeps the artifacts' URLs — and so `source_url` and the rows'
/// checksums — the same from run to run, so a rerun reports rows unchanged.
public func startDemoServer(_ description: String, portVariable: String, defaultPort: Int, context: ExtractionContext,
                            start: (Int) async throws -> LoopbackHTTPServer) async throws -> LoopbackHTTPServer {
    let port = Int(context.settings[portVariable] ?? "") ?? defaultPort
    do {
        return try await start(port)
    } catch {
        let server = try await start(0)
        context.say("\(description): port \(port) is busy, so it uses \(server.port); set \(portVariable) to a free port to keep source_url stable across runs")
        return server
    }
}

/// Starts a source's built-in demo server as `startDemoServer` does, runs `body` with it, and stops it
/// (awaiting the stop) on every path.
public func withDemoServer<T>(_ description: String, portVariable: String, defaultPort: Int, context: ExtractionContext,
                              start: (Int) async throws -> LoopbackHTTPServer,
                              _ body: (LoopbackHTTPServer) async throws -> T) async throws -> T {
    try await withClosing(try await startDemoServer(description, portVariable: portVariable, defaultPort: defaultPort, context: context, start: start),
                          close: { await $0.stop() }, body)
}
