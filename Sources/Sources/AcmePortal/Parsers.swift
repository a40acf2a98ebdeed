import Foundation
import IngestKit

extension AcmePortalSource {
    /// Maps an orders page to order rows, item by item: entity_id ← id, title ← name,
    /// created_date ← the UTC date of created_at (the SDK's rule: `2024-03-10T23:30:00-05:00` is 2024-03-11),
    /// amount ← total (exact), customer_id ← customer.id. An order of the wrong shape or with an
    /// invalid created_at is rejected with its JSON, the rest load.
    @Sendable public static func parseOrders(_ artifact: StoredArtifact) throws -> [ParsedItem<OrderRow>] {
        try artifact.decodeJSON(Page<JSONItem<OrderItem>>.self).results.map { entry in
            guard let item = entry.value else { return .rejected(reason: entry.failure ?? "not an order", raw: entry.raw) }
            var createdDate: CalendarDate?
            if let createdAt = item.createdAt {
                guard let date = CalendarDate(iso: createdAt) else {
                    return .rejected(reason: "order \(VisibleText.escaped(item.id.value)) has created_at \"\(VisibleText.escaped(createdAt))\", not a valid ISO-8601 date or timestamp (date, time and offset are checked whole)", raw: entry.raw)
                }
                createdDate = date
            }
            return .row(OrderRow(
                entityId: item.id.value, title: item.name, status: item.status, createdDate: createdDate,
                amount: item.total?.value, description: item.description, sourceURL: artifact.url,
                customerId: item.customer?.id?.value), raw: entry.raw)
        }
    }

    /// Maps a customers page to customer rows, item by item: city and zip ← address.
    @Sendable public static func parseCustomers(_ artifact: StoredArtifact) throws -> [ParsedItem<CustomerRow>] {
        try artifact.decodeJSON(Page<JSONItem<CustomerItem>>.self).results.map { entry in
            guard let item = entry.value else { return .rejected(reason: entry.failure ?? "not a customer", raw: entry.raw) }
            return .row(CustomerRow(entityId: item.id.value, name: item.name, email: item.email, city: item.address?.city,
                                    zip: item.address?.zip, sourceURL: artifact.url), raw: entry.raw)
        }
    }
}
