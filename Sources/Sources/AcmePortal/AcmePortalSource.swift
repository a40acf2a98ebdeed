import IngestKit

/// The acme_portal source: orders and customers from the Acme portal's REST API,
/// both in the `acme_portal` schema.
///
/// With no `ACME_PORTAL_BASE_URL`, it serves a built-in demo of the API on
/// 127.0.0.1 and extracts from that, so the source runs with no setup.
public struct AcmePortalSource: Source {
    public init() {}

    public static let sourceName = "acme_portal"

    public var datasets: [Dataset] { [Self.orders, Self.customers] }

    public var models: [any Model.Type] {
        [
            StgAcmePortalOrders.self, StgAcmePortalCustomers.self,
            IntAcmePortalOrdersEnriched.self, IntAcmePortalCustomersEnriched.self,
            DimStatus.self, DimDate.self, DimCustomer.self, FctOrders.self,
        ]
    }

    public var variables: [SourceVariable] {
        [
            SourceVariable("ACME_PORTAL_BASE_URL", "the API's base URL; unset: a built-in demo API on 127.0.0.1", example: "https://portal.acme.example"),
            SourceVariable("ACME_PORTAL_API_TOKEN", "bearer token for the API (the demo accepts any token it is started with)", secret: true,
                           requirement: .requiredWhenSet("ACME_PORTAL_BASE_URL")),
            SourceVariable("ACME_PORTAL_DEMO_ROWS", "orders the demo API serves (default 2000; customers: a fifth of that)"),
            SourceVariable("ACME_PORTAL_DEMO_PORT", "port of the demo API on 127.0.0.1 (default 8765)"),
            SourceVariable("ACME_PORTAL_DEMO_REVISION", "demo data revision; each step changes every 10th order (default 0)"),
        ]
    }
}

extension AcmePortalSource {
    /// `acme_portal.orders`: one row per order. Everything, or with a scheduler's window the orders
    /// created in it (`?created_from=…&created_to=…`); daily at 02:00 UTC for the day before; the
    /// watermark is the latest creation date; stale after a day without a new order (an error after two).
    public static let orders = dataset(
        "orders",
        columns: [
            Column("entity_id", \OrderRow.entityId, primaryKey: true),
            Column("title", \.title),
            Column("status", \.status, index: true),
            Column("created_date", \.createdDate, index: true),
            Column("amount", \.amount),
            Column("description", \.description),
            Column("source_url", \.sourceURL),
            Column("customer_id", \.customerId, index: true),
        ],
        extractor: AcmeAPIExtractor(endpoint: "orders", window: IncrementalWindow(parameter: "created_from", format: .dateTime,
                                                                                  endParameter: "created_to", windowOnly: true)),
        parse: .items(parseOrders),
        watermark: .latest(\.createdDate),
        description: "Orders from the Acme portal's REST API (`GET /v1/orders`, bearer token, paged): one row per order in `acme_portal.orders`.",
        orchestration: Orchestration(schedule: "0 2 * * *", retries: 3, retryDelaySeconds: 60),
        freshness: DatasetFreshness(warnAfterHours: 24, errorAfterHours: 48))

    /// `acme_portal.customers`: one row per customer.
    public static let customers = dataset(
        "customers",
        columns: [
            Column("entity_id", \CustomerRow.entityId, primaryKey: true),
            Column("name", \.name),
            Column("email", \.email),
            Column("city", \.city, index: true),
            Column("zip", \.zip),
            Column("source_url", \.sourceURL),
        ],
        extractor: AcmeAPIExtractor(endpoint: "customers"),
        parse: .items(parseCustomers),
        description: "Customers from the Acme portal's REST API (`GET /v1/customers`, bearer token, paged): one row per customer in `acme_portal.customers`.")
}
