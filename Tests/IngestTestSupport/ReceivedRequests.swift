import IngestKit

/// The requests a loopback server received, in order.
public actor ReceivedRequests {
    public private(set) var all: [LoopbackHTTPServer.Request] = []

    public init() {}

    public func add(_ request: LoopbackHTTPServer.Request) { all.append(request) }
}
