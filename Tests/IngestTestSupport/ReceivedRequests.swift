import IngestKit

/// The requests a loopback server received, in order, and the port it listens on (known once it started,
/// for answers that link back to the server: `set(port:)` right after `LoopbackHTTPServer.start`).
public actor ReceivedRequests {
    public private(set) var all: [LoopbackHTTPServer.Request] = []
    public private(set) var port = 0

    public init() {}

    public func add(_ request: LoopbackHTTPServer.Request) { all.append(request) }

    public func set(port: Int) { self.port = port }
}
