import Foundation
import IngestCommon
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// A WebSocket client on swift-nio (HTTP/1.1 upgrade, RFC 6455) that carries
/// text messages: what the DevTools protocol needs, nothing more.
final class WebSocketClient: Sendable {
    private let channel: any Channel
    /// Every text or binary message received, in order; finishes when the connection closes.
    let messages: AsyncStream<Data>

    private init(channel: any Channel, messages: AsyncStream<Data>) {
        self.channel = channel
        self.messages = messages
    }

    static func connect(host: String, port: Int, path: String, maxMessageSize: Int = 256 << 20) async throws -> WebSocketClient {
        let (messages, continuation) = AsyncStream<Data>.makeStream()
        let upgraded = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                let request = UpgradeRequestHandler(host: "\(host):\(port)", path: path, upgraded: upgraded)
                let upgrader = NIOWebSocketClientUpgrader(maxFrameSize: maxMessageSize, automaticErrorHandling: true) { channel, _ in
                    channel.pipeline.addHandler(MessageHandler(continuation: continuation))
                }
                let configuration: NIOHTTPClientUpgradeSendableConfiguration = (upgraders: [upgrader], completionHandler: { context in
                    context.pipeline.removeHandler(request, promise: nil)
                    upgraded.succeed(())
                })
                return channel.pipeline.addHTTPClientHandlers(withClientUpgrade: configuration).flatMap {
                    channel.pipeline.addHandler(request)
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            upgraded.fail(error)
            throw IngestError("could not connect to the browser's DevTools port \(host):\(port): \(error)", fix: "check that chromium started (see its log)")
        }
        do {
            try await upgraded.futureResult.get()
        } catch {
            try? await channel.close()
            throw IngestError("the browser refused the DevTools WebSocket upgrade on \(path): \(error)", fix: "check the chromium version (it must speak CDP over WebSocket)")
        }
        return WebSocketClient(channel: channel, messages: messages)
    }

    /// Sends one text message (masked, as a client must).
    func send(_ text: String) {
        let buffer = channel.allocator.buffer(string: text)
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: buffer)
        channel.writeAndFlush(frame, promise: nil)
    }

    func close() async {
        try? await channel.close()
    }
}

/// Sends the upgrade request once the TCP connection is up; fails the upgrade if the connection ends first.
private final class UpgradeRequestHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    let host: String
    let path: String
    let upgraded: EventLoopPromise<Void>

    init(host: String, path: String, upgraded: EventLoopPromise<Void>) {
        self.host = host
        self.path = path
        self.upgraded = upgraded
    }

    func channelActive(context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        headers.add(name: "Content-Length", value: "0")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // A plain HTTP answer instead of 101: the upgrade did not happen.
        if case .head(let head) = unwrapInboundIn(data) {
            upgraded.fail(IngestError("HTTP \(head.status.code) instead of 101 Switching Protocols"))
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        upgraded.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        upgraded.fail(IngestError("the connection closed before the WebSocket upgrade"))
        context.fireChannelInactive()
    }
}

/// Reassembles fragmented messages, answers pings and close frames, and hands messages on.
private final class MessageHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let continuation: AsyncStream<Data>.Continuation
    var partial: Data?

    init(continuation: AsyncStream<Data>.Continuation) {
        self.continuation = continuation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let payload = frame.unmaskedData
        switch frame.opcode {
        case .text, .binary:
            let bytes = Data(payload.readableBytesView)
            if frame.fin { continuation.yield(bytes) } else { partial = bytes }
        case .continuation:
            partial?.append(contentsOf: payload.readableBytesView)
            if frame.fin, let whole = partial {
                continuation.yield(whole)
                partial = nil
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: payload)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            let reply = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: context.channel.allocator.buffer(capacity: 0))
            context.writeAndFlush(wrapOutboundOut(reply)).whenComplete { _ in context.close(promise: nil) }
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        continuation.finish()
        context.close(promise: nil)
    }
}
