import Foundation
import IngestKit

/// A row of `acme_stores.<store>`.
public struct SaleRow: Sendable, Hashable {
    public var saleId: String
    public var soldDate: CalendarDate?
    public var sku: String?
    public var quantity: Int?
    /// Exact to every digit the API sends.
    public var amount: ExactDecimal?
}

/// A sale as the API sends it: `{"id", "sold_at", "sku", "quantity", "amount"}`.
struct SaleItem: Decodable {
    var id: String
    var soldAt: String?
    var sku: String?
    var quantity: Int?
    var amount: ExactDecimal?

    enum CodingKeys: String, CodingKey {
        case id, sku, quantity, amount
        case soldAt = "sold_at"
    }
}

/// One page of the stores API: `{"count", "next", "results"}`.
struct SalesPage: Decodable {
    var results: [JSONItem<SaleItem>]
}

extension AcmeStoresSource {
    /// Maps a sales page to sale rows, item by item: sold_date ← the UTC date of sold_at. A sale of the
    /// wrong shape or with an invalid sold_at is rejected with its JSON, the rest load.
    @Sendable public static func parseSales(_ artifact: StoredArtifact) throws -> [ParsedItem<SaleRow>] {
        try artifact.decodeJSON(SalesPage.self).results.map { entry in
            guard let item = entry.value else { return .rejected(reason: entry.failure ?? "not a sale", raw: entry.raw) }
            var soldDate: CalendarDate?
            if let soldAt = item.soldAt {
                guard let date = CalendarDate(iso: soldAt) else {
                    return .rejected(reason: "sale \(VisibleText.escaped(item.id)) has sold_at \"\(VisibleText.escaped(soldAt))\", not a valid ISO-8601 date or timestamp", raw: entry.raw)
                }
                soldDate = date
            }
            return .row(SaleRow(saleId: item.id, soldDate: soldDate, sku: item.sku, quantity: item.quantity, amount: item.amount), raw: entry.raw)
        }
    }
}
