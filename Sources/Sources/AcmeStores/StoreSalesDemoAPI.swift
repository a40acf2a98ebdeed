import Foundation
import IngestKit

/// The built-in demo of the Acme stores API: deterministic sales of every store, served over
/// real HTTP on 127.0.0.1 with the real protocol (bearer token, `?page=N`, absolute `next` links,
/// `count`). Unknown stores are a 404.
public struct StoreSalesDemoAPI: Sendable {
    public static let defaultSales = 300
    public static let defaultToken = "acme-stores-demo-token"
    public static let pageSize = 100
    public static let defaultPort = 8766

    /// Sales per store.
    public var sales: Int
    public var token: String

    public init(sales: Int = defaultSales, token: String = defaultToken) {
        self.sales = sales
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
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count == 4, parts[0] == "v1", parts[1] == "stores", parts[3] == "sales",
              let store = AcmeStoresSource.stores.first(where: { $0.name == parts[2] })?.name else {
            return .json(#"{"detail": "Not found."}"#, status: 404)
        }
        let page = max(1, Int(request.query["page"] ?? "1") ?? 1)
        let start = (page - 1) * Self.pageSize
        let end = min(sales, start + Self.pageSize)
        let items = start < end ? (start..<end).map { sale($0, of: store) } : []
        let next = end < sales ? "\"\(baseURL)\(request.path)?page=\(page + 1)\"" : "null"
        return .json(#"{"count": \#(sales), "page": \#(page), "next": \#(next), "results": [\#(items.joined(separator: ","))]}"#)
    }

    /// Sale `index` (from 0) of `store`: an id prefixed with the store's first three letters, a date in 2025.
    func sale(_ index: Int, of store: String) -> String {
        let n = index + 1
        let prefix = store.prefix(3).uppercased()
        let cents = (n * 7919 + store.count * 131) % 50_000
        return #"{"id": "\#(prefix)-\#(String(format: "%06d", n))", "sold_at": "2025-\#(String(format: "%02d", n % 12 + 1))-\#(String(format: "%02d", n % 28 + 1))T\#(String(format: "%02d", n % 24)):00:00Z", "sku": "SKU-\#(n % 40)", "quantity": \#(n % 4 + 1), "amount": "\#(cents / 100).\#(String(format: "%02d", cents % 100))"}"#
    }
}
