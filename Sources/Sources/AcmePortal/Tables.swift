import Foundation
import IngestKit

/// A row of `acme_portal.orders`: the guide's Step 1 columns plus the customer.
public struct OrderRow: Sendable, Hashable {
    public var entityId: String
    public var title: String?
    public var status: String?
    public var createdDate: CalendarDate?
    /// Exact to every digit the API sends (numbers longer than `Decimal`'s 38 digits included).
    public var amount: ExactDecimal?
    public var description: String?
    public var sourceURL: String?
    public var customerId: String?
}

public enum OrdersTable: SourceTableConfig {
    public static let sourceName = "acme_portal"
    public static let dataset = "orders"
    public static let columns: [Column<OrderRow>] = [
        Column("entity_id", \.entityId, primaryKey: true),
        Column("title", \.title),
        Column("status", \.status, index: true),
        Column("created_date", \.createdDate, index: true),
        Column("amount", \.amount),
        Column("description", \.description),
        Column("source_url", \.sourceURL),
        Column("customer_id", \.customerId, index: true),
        .bronzeObjectPath(),
        .checksum(),
        .ingestedAt(),
    ]
}

/// A row of `acme_portal.customers`.
public struct CustomerRow: Sendable, Hashable {
    public var entityId: String
    public var name: String?
    public var email: String?
    public var city: String?
    public var zip: String?
    public var sourceURL: String?
}

public enum CustomersTable: SourceTableConfig {
    public static let sourceName = "acme_portal"
    public static let dataset = "customers"
    public static let columns: [Column<CustomerRow>] = [
        Column("entity_id", \.entityId, primaryKey: true),
        Column("name", \.name),
        Column("email", \.email),
        Column("city", \.city, index: true),
        Column("zip", \.zip),
        Column("source_url", \.sourceURL),
        .bronzeObjectPath(),
        .checksum(),
        .ingestedAt(),
    ]
}
