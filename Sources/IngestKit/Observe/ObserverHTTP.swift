import AsyncHTTPClient
import Foundation
import IngestCommon
import NIOCore
import NIOHTTP1

/// One HTTP request to a monitoring endpoint (Pushgateway, OpenLineage). A URL's user and
/// password become a Basic `Authorization` header and are registered as secrets, so they
/// never reach an error message or a log.
enum ObserverHTTP {
    static func send(_ method: HTTPMethod, _ url: String, contentType: String, body: Data,
                     what: String, extraHeaders: [(String, String)] = []) async throws {
        guard var parts = URLComponents(string: url), let scheme = parts.scheme, ["http", "https"].contains(scheme), parts.host != nil else {
            throw IngestError("\(what): \(Redactor.shared.redactURL(url)) is not an http(s) URL", fix: "use http://host:port/…")
        }
        var request = HTTPClientRequest(url: "")
        if let user = parts.user {
            let password = parts.password ?? ""
            Redactor.shared.register(password)
            request.headers.add(name: "Authorization", value: "Basic " + Data("\(user):\(password)".utf8).base64EncodedString())
            parts.user = nil
            parts.password = nil
        }
        guard let plain = parts.string else { throw IngestError("\(what): cannot use \(Redactor.shared.redactURL(url))") }
        request.url = plain
        request.method = method
        request.headers.add(name: "Content-Type", value: contentType)
        for (name, value) in extraHeaders { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(data: body))
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.ingest.execute(request, timeout: .seconds(60))
        } catch {
            throw IngestError("\(what): \(method.rawValue) \(Redactor.shared.redactURL(plain)) failed: \(Redactor.shared.redact(String(describing: error)))",
                              fix: "check that the server runs and the URL is right")
        }
        let answer = try? await response.body.collect(upTo: 64 * 1024)
        guard (200..<300).contains(Int(response.status.code)) else {
            let text = answer.map { String(buffer: $0) }.map { String($0.prefix(300)) } ?? ""
            throw IngestError("\(what): \(method.rawValue) \(Redactor.shared.redactURL(plain)) answered \(response.status.code): \(Redactor.shared.redact(text))")
        }
    }
}
