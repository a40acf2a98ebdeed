import Foundation
import IngestKit

/// Maps an orders page to order rows: entity_id ← id, title ← name,
/// created_date ← the UTC date of created_at (the SDK's rule: `2024-03-10T23:30:00-05:00` is 2024-03-11),
/// amount ← total (exact), customer_id ← customer.id.
public struct OrdersParser: Parser {
    public init() {}

    public func parse(_ artifact: StoredArtifact) throws -> [OrderRow] {
        let page = try artifact.decodeJSON(Page<OrderItem>.self)
        return try page.results.map { item in
            var createdDate: CalendarDate?
            if let createdAt = item.createdAt {
                guard let date = CalendarDate(iso: createdAt) else {
                    throw ParseError(artifactId: artifact.artifactId, reason: "order \(VisibleText.escaped(item.id.value)) has created_at \"\(VisibleText.escaped(createdAt))\", not a valid ISO-8601 date or timestamp (date, time and offset are checked whole)")
                }
                createdDate = date
            }
            return OrderRow(
                entityId: item.id.value, title: item.name, status: item.status, createdDate: createdDate,
                amount: item.total?.value, description: item.description, sourceURL: artifact.url,
                customerId: item.customer?.id?.value)
        }
    }
}

public struct CustomersParser: Parser {
    public init() {}

    public func parse(_ artifact: StoredArtifact) throws -> [CustomerRow] {
        try artifact.decodeJSON(Page<CustomerItem>.self).results.map { item in
            CustomerRow(entityId: item.id.value, name: item.name, email: item.email, city: item.address?.city,
                        zip: item.address?.zip, sourceURL: artifact.url)
        }
    }
}
