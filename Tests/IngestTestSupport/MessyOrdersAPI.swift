import Foundation
import IngestKit
import IngestTesting

/// A local Acme API that serves the orders a test writes, as the real API would: bearer token,
/// `?page=N`, absolute `next` links, one page per list of items. Items are JSON text, so a test
/// can send what a JSON encoder would not write (200-digit numbers, `\u0000` escapes).
/// The platform it starts points the acme_portal source at it (`ACME_PORTAL_BASE_URL`, `ACME_PORTAL_API_TOKEN`):
/// the source's messy-input tests and the CLI tests that run acme_portal against messy pages share it.
public enum MessyOrdersAPI {
    public static let token = "acme-messy-token-51c2"

    /// A running API; `serve` changes what it answers (same URL, so `source_url` stays the same).
    public struct Server: Sendable {
        public let server: LoopbackHTTPServer
        fileprivate let box: PagesBox
        public func serve(_ pages: [[String]]) async { await box.set(pages: pages) }
        public func stop() async { await server.stop() }
    }

    /// Starts the API on 127.0.0.1 and a fresh platform pointed at it.
    public static func start(_ kind: WarehouseKind, pages: [[String]]) async throws -> (TestPlatform, Server) {
        let box = PagesBox(pages: pages)
        let server = try await LoopbackHTTPServer.start { request in
            guard request.header("Authorization") == "Bearer \(token)" else {
                return .json(#"{"detail": "Invalid or missing bearer token."}"#, status: 401)
            }
            guard request.path == "/v1/orders" else { return .json(#"{"detail": "Not found."}"#, status: 404) }
            return .json(await box.page(Int(request.query["page"] ?? "1") ?? 1, baseURL: request.baseURL))
        }
        let test = try await TestPlatform.make(kind, ["ACME_PORTAL_BASE_URL": server.baseURL, "ACME_PORTAL_API_TOKEN": token])
        return (test, Server(server: server, box: box))
    }

    /// An order carrying every key the acme order type reads (name, status, created_at, total, description,
    /// customer with id, email and address, lines with sku and quantity), so that no key vanishes from a page
    /// of them (see `VanishedKeysTests`); `fields` replace those keys or add others, as in `order(_:_:)`.
    public static func completeOrder(_ id: String, _ fields: [String: String] = [:]) -> String {
        let defaults = ["name": json("Order \(id)"), "status": json("pending"), "created_at": json("2025-01-01T00:00:00Z"), "total": json("10.00"),
                        "description": json("Order \(id)"),
                        "customer": #"{"id": "C0", "email": "c0@example.com", "address": {"city": "Oslo", "zip": "0150"}}"#,
                        "lines": #"[{"sku": "A", "quantity": 1}]"#]
        return order(id, defaults.merging(fields) { _, given in given })
    }

    /// An order as JSON text; `fields` are raw JSON values by key (strings must be given quoted, e.g. with `json(_:)`).
    public static func order(_ id: String, _ fields: [String: String] = [:]) -> String {
        var members = [#""id": \#(json(id))"#]
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) { members.append("\(json(key)): \(value)") }
        return "{" + members.joined(separator: ", ") + "}"
    }

    /// A JSON string literal; control characters (NUL included) are written as `\u00XX` escapes.
    public static func json(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

private actor PagesBox {
    var pages: [[String]]
    init(pages: [[String]]) { self.pages = pages }
    func set(pages: [[String]]) { self.pages = pages }

    func page(_ number: Int, baseURL: String) -> String {
        let items = (1...max(1, pages.count)).contains(number) && !pages.isEmpty ? pages[number - 1] : []
        let next = number < pages.count ? "\"\(baseURL)/v1/orders?page=\(number + 1)\"" : "null"
        let count = pages.reduce(0) { $0 + $1.count }
        return #"{"count": \#(count), "page": \#(number), "next": \#(next), "results": [\#(items.joined(separator: ", "))]}"#
    }
}
