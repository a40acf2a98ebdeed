import Foundation
import IngestCommon
import Synchronization

/// A network response a page received, with its body (`Network.getResponseBody`).
public struct CapturedResponse: Sendable {
    public var url: String
    public var status: Int
    public var mimeType: String
    public var body: Data

    /// The response as an `xhr_json` artifact (or another method).
    public func artifact(id: String, method: ExtractionMethod = .xhrJSON) -> RawArtifact {
        RawArtifact(artifactId: id, bytes: body, url: url, contentType: mimeType.isEmpty ? "application/json" : mimeType, extractionMethod: method)
    }
}

/// Collects responses whose URL matches: notes them on `Network.responseReceived`,
/// fetches each body once `Network.loadingFinished` says it is complete.
final class ResponseCapture: Sendable {
    private struct State {
        var matches: (@Sendable (String) -> Bool)?
        var seen: [String: (url: String, status: Int, mimeType: String)] = [:]
        var nextSequence = 0
        var done: [Int: CapturedResponse] = [:]
        var failure: IngestError?
    }

    private let state = Mutex(State())

    func start(_ matches: @escaping @Sendable (String) -> Bool) {
        state.withLock { $0.matches = matches }
    }

    func handle(_ event: CDPEvent, page: BrowserPage) {
        switch event.method {
        case "Network.responseReceived":
            guard let id = event.params["requestId"]?.string, let response = event.params["response"],
                  let url = response["url"]?.string else { return }
            state.withLock { state in
                guard let matches = state.matches, matches(url) else { return }
                state.seen[id] = (url, response["status"]?.int ?? 0, response["mimeType"]?.string ?? "")
            }
        case "Network.loadingFinished":
            guard let id = event.params["requestId"]?.string else { return }
            let found = state.withLock { state -> (Int, (url: String, status: Int, mimeType: String))? in
                guard let meta = state.seen.removeValue(forKey: id) else { return nil }
                defer { state.nextSequence += 1 }
                return (state.nextSequence, meta)
            }
            guard let (sequence, meta) = found else { return }
            Task { [self] in
                do {
                    let result = try await page.send("Network.getResponseBody", ["requestId": .string(id)])
                    let text = result["body"]?.string ?? ""
                    let body = result["base64Encoded"]?.bool == true ? (Data(base64Encoded: text) ?? Data()) : Data(text.utf8)
                    self.state.withLock { $0.done[sequence] = CapturedResponse(url: meta.url, status: meta.status, mimeType: meta.mimeType, body: body) }
                } catch {
                    self.state.withLock { $0.failure = IngestError("the body of \(Redactor.shared.redactURL(meta.url)) could not be read: \(error)") }
                }
            }
        case "Network.loadingFailed":
            guard let id = event.params["requestId"]?.string else { return }
            _ = state.withLock { $0.seen.removeValue(forKey: id) }
        default:
            break
        }
    }

    /// Captured responses in the order they finished (only those whose bodies arrived, without gaps).
    func responses() -> [CapturedResponse] {
        state.withLock { state in
            var out: [CapturedResponse] = []
            var index = 0
            while let response = state.done[index] {
                out.append(response)
                index += 1
            }
            return out
        }
    }

    func failure() -> IngestError? { state.withLock { $0.failure } }
}
