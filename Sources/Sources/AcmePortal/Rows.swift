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

/// A row of `acme_portal.customers`.
public struct CustomerRow: Sendable, Hashable {
    public var entityId: String
    public var name: String?
    public var email: String?
    public var city: String?
    public var zip: String?
    public var sourceURL: String?
}
