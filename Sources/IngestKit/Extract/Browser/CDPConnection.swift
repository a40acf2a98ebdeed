import Foundation
import IngestCommon
import Synchronization

/// An event the browser sent: `Network.responseReceived`, `Page.loadEventFired`, ….
public struct CDPEvent: Sendable {
    public var method: String
    public var params: JSONTree
    /// The page session it belongs to; `nil` for browser-level events (downloads).
    public var sessionId: String?
}

/// A Chrome DevTools Protocol connection: numbered commands with their
/// answers, and events handed to listeners in the order they arrive.
final class CDPConnection: Sendable {
    private struct State {
        var nextId = 1
        var pending: [Int: CheckedContinuation<JSONTree, any Error>] = [:]
        var listeners: [@Sendable (CDPEvent) -> Void] = []
        var closedReason: String?
    }

    private let socket: WebSocketClient
    private let state = Mutex(State())
    private let reader = Mutex<Task<Void, Never>?>(nil)
    let commandTimeout: Duration

    init(socket: WebSocketClient, commandTimeout: Duration) {
        self.socket = socket
        self.commandTimeout = commandTimeout
        let task = Task { [self] in
            for await message in socket.messages { receive(message) }
            fail(all: "the browser closed the DevTools connection")
        }
        reader.withLock { $0 = task }
    }

    /// Sends a command and returns its `result`; a protocol error, a closed connection,
    /// the command timeout and task cancellation all end the wait.
    func send(_ method: String, _ params: [String: JSONTree] = [:], session: String? = nil) async throws -> JSONTree {
        let id = state.withLock { state -> Int in
            defer { state.nextId += 1 }
            return state.nextId
        }
        var message: [String: JSONTree] = ["id": .number(Decimal(id)), "method": .string(method), "params": .object(params)]
        if let session { message["sessionId"] = .string(session) }
        let text = String(decoding: JSONTree.object(message).data(), as: UTF8.self)
        let timeout = commandTimeout
        let timer = Task { [self] in
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled {
                resume(id, with: .failure(IngestError("the browser did not answer \(method) within \(timeout)",
                                                      fix: "check that chromium is not overloaded; raise INGEST_BROWSER_TIMEOUT_SECONDS")))
            }
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<JSONTree, any Error>) in
                let refusal: (any Error)? = state.withLock { state in
                    if Task.isCancelled { return CancellationError() }
                    if let reason = state.closedReason { return IngestError("\(method): \(reason)", fix: "see the chromium log") }
                    state.pending[id] = continuation
                    return nil
                }
                if let refusal {
                    continuation.resume(throwing: refusal)
                } else {
                    socket.send(text)
                }
            }
        } onCancel: {
            resume(id, with: .failure(CancellationError()))
        }
    }

    /// Calls `listener` for every event for as long as the connection lives.
    func addListener(_ listener: @escaping @Sendable (CDPEvent) -> Void) {
        state.withLock { $0.listeners.append(listener) }
    }

    func close() async {
        fail(all: "the DevTools connection was closed")
        await socket.close()
        reader.withLock { $0?.cancel() }
    }

    private func resume(_ id: Int, with result: Result<JSONTree, any Error>) {
        let continuation = state.withLock { $0.pending.removeValue(forKey: id) }
        continuation?.resume(with: result)
    }

    private func fail(all reason: String) {
        let pending = state.withLock { state -> [CheckedContinuation<JSONTree, any Error>] in
            if state.closedReason == nil { state.closedReason = reason }
            defer { state.pending = [:] }
            return Array(state.pending.values)
        }
        for continuation in pending { continuation.resume(throwing: IngestError(reason, fix: "see the chromium log")) }
    }

    private func receive(_ data: Data) {
        guard let message = try? JSONTree.parse(data) else { return }
        if let id = message["id"]?.int {
            if let error = message["error"] {
                let text = error["message"]?.string ?? "unknown error"
                let detail = error["data"]?.string.map { " (\($0))" } ?? ""
                resume(id, with: .failure(IngestError("the browser refused a command: \(text)\(detail)")))
            } else {
                resume(id, with: .success(message["result"] ?? .object([:])))
            }
        } else if let method = message["method"]?.string {
            let event = CDPEvent(method: method, params: message["params"] ?? .object([:]), sessionId: message["sessionId"]?.string)
            let listeners = state.withLock { $0.listeners }
            for listener in listeners { listener(event) }
        }
    }
}
