import Foundation
import IngestKit

/// The built-in demo of the Acme API: deterministic orders and customers,
/// served over real HTTP on 127.0.0.1 with the real protocol (bearer token,
/// `?page=N`, absolute `next` links). Its data includes the awkward cases a
/// parser must survive: null, blank and padded upper-case statuses, missing
/// dates, and totals as strings, numbers or null.
public struct AcmeDemoAPI: Sendable {
    public static let defaultRows = 2_000
    public static let defaultToken = "acme-demo-token"
    public static let pageSize = 100
    public static let defaultPort = 8765

    public var orders: Int
    /// Each revision changes the name of every 10th order, to show updates.
    public var revision: Int
    public var token: String
    public var customers: Int { max(1, orders / 5) }

    public init(orders: Int = defaultRows, revision: Int = 0, token: String = defaultToken) {
        self.orders = orders
        self.revision = revision
        self.token = token
    }

    public func start(port: Int = 0) async throws -> LoopbackHTTPServer {
        let api = self
        return try await LoopbackHTTPServer.start(port: port) { request in api.respond(to: request, baseURL: request.baseURL) }
    }

    func respond(to request: LoopbackHTTPServer.Request, baseURL: String) -> LoopbackHTTPServer.Response {
        guard request.header("Authorization") == "Bearer \(token)" else {
            return .json(#"{"detail": "Invalid or missing bearer token."}"#, status: 401)
        }
        var total: Int
        var item: (Int) -> String
        switch request.path {
        case "/v1/orders":
            total = orders
            item = order
            // `created_from`/`created_to` (ISO-8601, UTC): the orders created in [from, to).
            if request.query["created_from"] != nil || request.query["created_to"] != nil {
                let from = request.query["created_from"].map(Self.utc) ?? ""
                let to = request.query["created_to"].map(Self.utc) ?? "~"
                let matching = (0..<orders).filter { index in
                    guard let created = createdAt(index) else { return false }
                    return created >= from && created < to
                }
                total = matching.count
                item = { [self] in order(matching[$0]) }
            }
        case "/v1/customers":
            total = customers
            item = customer
        default:
            return .json(#"{"detail": "Not found."}"#, status: 404)
        }
        let page = max(1, Int(request.query["page"] ?? "1") ?? 1)
        var next = "\(baseURL)\(request.path)?page=\(page + 1)"
        for name in ["created_from", "created_to"] {
            if let value = request.query[name] { next += "&\(name)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value)" }
        }
        return .json(Self.page(page, total: total, item: item, next: next))
    }

    /// Page `page` (from 1) of the orders as the API serves it; for benchmarks and tests.
    public func ordersPage(_ page: Int, baseURL: String = "http://127.0.0.1:\(AcmeDemoAPI.defaultPort)") -> String {
        Self.page(page, total: orders, item: order, next: "\(baseURL)/v1/orders?page=\(page + 1)")
    }

    private static func page(_ page: Int, total: Int, item: (Int) -> String, next nextURL: String) -> String {
        let start = (page - 1) * pageSize
        let end = min(total, start + pageSize)
        let items = start < end ? (start..<end).map(item) : []
        let next = end < total ? "\"\(nextURL)\"" : "null"
        return #"{"count": \#(total), "page": \#(page), "next": \#(next), "results": [\#(items.joined(separator: ","))]}"#
    }

    /// The order's `created_at` (`2025-MM-DDTHH:MM:00Z`), or `nil` for every 17th order.
    func createdAt(_ index: Int) -> String? {
        let n = index + 1
        let day = n % 28 + 1, month = n % 12 + 1
        return n % 17 == 0 ? nil : "2025-\(two(month))-\(two(day))T\(two(n % 24)):\(two(n % 60)):00Z"
    }

    /// An ISO-8601 timestamp as `YYYY-MM-DDTHH:MM:SSZ` in UTC, comparable as text with `created_at`.
    static func utc(_ text: String) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        guard let date = formatter.date(from: text) else { return text }
        return formatter.string(from: date)
    }

    static let statuses = ["shipped", "pending", "cancelled", "delivered"]
    static let cities = ["Amsterdam", "Utrecht", "Rotterdam", "Eindhoven", "Groningen"]

    public func order(_ index: Int) -> String {
        let n = index + 1
        let status: String
        switch n % 11 {
        case 3: status = "null"
        case 5: status = "\"\""
        case 7: status = "\"  \(Self.statuses[n % 4].uppercased()) \""
        default: status = "\"\(Self.statuses[n % 4])\""
        }
        let createdAt = self.createdAt(index).map { "\"\($0)\"" } ?? "null"
        let cents = (n * 7919) % 100_000
        let total: String
        switch n % 3 {
        case 0: total = "\"\(cents / 100).\(two(cents % 100))\""
        case 1: total = "\(cents / 100).\(two(cents % 100))"
        default: total = n % 13 == 0 ? "null" : "\"\(cents / 100).\(two(cents % 100))\""
        }
        let changed = revision > 0 && n % 10 == 0 ? " (rev \(revision))" : ""
        let customerIndex = n % customers
        return #"{"id": "ORD-\#(pad(n))", "name": "Order \#(n)\#(changed)", "status": \#(status), "created_at": \#(createdAt), "total": \#(total), "description": "Demo order \#(n)", "customer": {"id": "CUS-\#(pad(customerIndex + 1))", "email": "customer\#(customerIndex + 1)@example.com", "address": {"city": "\#(Self.cities[customerIndex % 5])", "zip": "\#(1000 + customerIndex % 9000)AB"}}, "lines": [{"sku": "SKU-\#(n % 50)", "quantity": \#(n % 5 + 1)}]}"#
    }

    func customer(_ index: Int) -> String {
        let n = index + 1
        return #"{"id": "CUS-\#(pad(n))", "name": "Customer \#(n)", "email": "customer\#(n)@example.com", "address": {"city": "\#(Self.cities[index % 5])", "zip": "\#(1000 + index % 9000)AB"}}"#
    }

    private func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
    private func pad(_ value: Int) -> String {
        let text = String(value)
        return text.count >= 6 ? text : String(repeating: "0", count: 6 - text.count) + text
    }
}
