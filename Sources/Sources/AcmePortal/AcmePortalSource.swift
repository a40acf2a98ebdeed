import IngestKit

/// The acme_portal source: orders and customers from the Acme portal's REST API,
/// both in the `acme_portal` schema.
///
/// With no `ACME_PORTAL_BASE_URL`, it serves a built-in demo of the API on
/// 127.0.0.1 and extracts from that, so the source runs with no setup.
public struct AcmePortalSource: Source {
    public init() {}

    public let name = "acme_portal"

    public var datasets: [AnyDataset] {
        [AnyDataset(OrdersDataset()), AnyDataset(CustomersDataset())]
    }

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

/// `acme_portal.orders`: one row per order.
public struct OrdersDataset: Dataset {
    public typealias Table = OrdersTable
    public init() {}
    /// Everything, or with a scheduler's window the orders created in it (`?created_from=…&created_to=…`).
    public var extractor: AcmeAPIExtractor {
        AcmeAPIExtractor(endpoint: "orders", window: IncrementalWindow(parameter: "created_from", format: .dateTime,
                                                                       endParameter: "created_to", windowOnly: true))
    }
    public var parser: OrdersParser { OrdersParser() }
    public var description: String {
        "Orders from the Acme portal's REST API (`GET /v1/orders`, bearer token, paged): one row per order in `acme_portal.orders`."
    }
    /// Daily at 02:00 UTC, for the day before.
    public var orchestration: Orchestration { Orchestration(schedule: "0 2 * * *", retries: 3, retryDelaySeconds: 60) }
    /// Orders advance by creation date.
    public func watermark(of row: OrderRow) -> String? { row.createdDate?.description }
    /// New orders arrive daily: warn after a day without one, fail `ingestctl freshness` after two.
    public var freshness: DatasetFreshness { DatasetFreshness(warnAfterHours: 24, errorAfterHours: 48) }
}

/// `acme_portal.customers`: one row per customer.
public struct CustomersDataset: Dataset {
    public typealias Table = CustomersTable
    public init() {}
    public var extractor: AcmeAPIExtractor { AcmeAPIExtractor(endpoint: "customers") }
    public var parser: CustomersParser { CustomersParser() }
    public var description: String {
        "Customers from the Acme portal's REST API (`GET /v1/customers`, bearer token, paged): one row per customer in `acme_portal.customers`."
    }
}
