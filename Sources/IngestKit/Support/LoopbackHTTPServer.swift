import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A small real HTTP/1.1 server on 127.0.0.1, for a source's built-in demo
/// (and for tests: IngestTesting's `RecordedAPI` serves recorded runs with it): each request goes to an async handler.
public final class LoopbackHTTPServer: Sendable {
    public struct Request: Sendable {
        public var method: String
        /// Path without the query string.
        public var path: String
        public var query: [String: String]
        public var headers: [(String, String)]
        /// The request's body (a PUT's bytes for a forwarding proxy, an OAuth2 token request's form).
        public var body = Data()
        /// The server's own base URL, `http://127.0.0.1:<port>`: for answers that link back to it (absolute next links).
        public var baseURL = ""

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    /// A broken answer, for the SDK's tests of a client's resilience (the demo servers never send one).
    /// Package access: the SDK's own tests use it; it is not API for a source author.
    package enum Fault: Sendable {
        /// Announce the whole body's Content-Length, send only its first `bytes`, then close the connection.
        case truncate(afterBytes: Int)
        /// Close the connection without answering.
        case dropConnection
    }

    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: Data
        package var fault: Fault?

        /// An answer: `status`, `headers` (Content-Length and Connection are set by the server) and `body`.
        public init(status: Int = 200, headers: [(String, String)] = [], body: Data) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        /// An answer that ends in `fault` (nil: a normal answer).
        package init(status: Int = 200, headers: [(String, String)] = [], body: Data, fault: Fault?) {
            self.init(status: status, headers: headers, body: body)
            self.fault = fault
        }

        public static func json(_ text: String, status: Int = 200) -> Response {
            Response(status: status, headers: [("Content-Type", "application/json")], body: Data(text.utf8))
        }
    }

    public typealias Handler = @Sendable (Request) async -> Response

    private let channel: any Channel
    private let connections: Connections
    public let port: Int

    /// The base URL, e.g. `http://127.0.0.1:54321`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(channel: any Channel, connections: Connections, port: Int) {
        self.channel = channel
        self.connections = connections
        self.port = port
    }

    /// Starts listening on 127.0.0.1 (port 0: any free port).
    public static func start(port: Int = 0, handler: @escaping Handler) async throws -> LoopbackHTTPServer {
        let connections = Connections()
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                connections.add(channel)
                return channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(HTTPHandler(handler: handler))
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
        return LoopbackHTTPServer(channel: channel, connections: connections, port: channel.localAddress?.port ?? port)
    }

    /// Stops listening and closes open keep-alive connections, so clients cannot keep talking to a stopped server.
    public func stop() async {
        try? await channel.close()
        for connection in connections.all() { try? await connection.close() }
    }
}

/// The server's accepted connections, forgotten as they close.
private final class Connections: Sendable {
    private let open = Mutex<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        open.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { [self] _ in _ = open.withLock { $0.removeValue(forKey: id) } }
    }

    func all() -> [any Channel] { open.withLock { Array($0.values) } }
}

private final class HTTPHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let handler: LoopbackHTTPServer.Handler
    var head: HTTPRequestHead?
    var body = Data()

    init(handler: @escaping LoopbackHTTPServer.Handler) {
        self.handler = handler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            self.body = Data()
        case .body(let buffer):
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head else { return }
            let components = URLComponents(string: head.uri)
            var query: [String: String] = [:]
            for item in components?.queryItems ?? [] { query[item.name] = item.value ?? "" }
            let request = LoopbackHTTPServer.Request(
                method: head.method.rawValue, path: components?.path ?? head.uri, query: query,
                headers: head.headers.map { ($0.name, $0.value) }, body: body,
                baseURL: "http://127.0.0.1:\(context.channel.localAddress?.port ?? 0)")
            let keepAlive = head.isKeepAlive
            let version = head.version
            let handler = self.handler
            let loop = context.eventLoop
            let boundContext = NIOLoopBound(context, eventLoop: loop)
            Task {
                let response = await handler(request)
                loop.execute {
                    let context = boundContext.value
                    if case .dropConnection = response.fault {
                        context.close(promise: nil)
                        return
                    }
                    var headers = HTTPHeaders(response.headers)
                    headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
                    headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
                    let responseHead = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
                    context.write(NIOAny(HTTPServerResponsePart.head(responseHead)), promise: nil)
                    var buffer = context.channel.allocator.buffer(capacity: response.body.count)
                    if case .truncate(let sent) = response.fault {
                        buffer.writeBytes(response.body.prefix(sent))
                        context.writeAndFlush(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer)))).whenComplete { _ in
                            context.close(promise: nil)
                        }
                        return
                    }
                    buffer.writeBytes(response.body)
                    context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer))), promise: nil)
                    context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in
                        if !keepAlive { context.close(promise: nil) }
                    }
                }
            }
            self.head = nil
            self.body = Data()
        }
    }
}
