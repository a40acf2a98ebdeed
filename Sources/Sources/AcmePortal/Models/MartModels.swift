import IngestKit

/// One row per order status.
public enum DimStatus: Model {
    public static let name = "dim_status"
    public static let layer = ModelLayer.marts
    public static let tags = ["acme_portal"]
    public static let description = "Order statuses."
    public static let sql: SQL = """
        select \(Portable.hashedKey("status_name")) as status_sk, status_name
        from (select distinct status_clean as status_name from \(ref: IntAcmePortalOrdersEnriched.self)) as statuses
        """
    public static let columns = [ModelColumn("status_sk", "surrogate key of the status", tests: [.notNull, .unique])]
}

/// One row per order creation date (including one for an unknown date).
public enum DimDate: Model {
    public static let name = "dim_date"
    public static let layer = ModelLayer.marts
    public static let tags = ["acme_portal"]
    public static let description = "Calendar dates on which orders were created."
    public static let sql: SQL = """
        select
            \(Portable.hashedKey("date_day")) as date_sk,
            date_day,
            \(Portable.datePart(.year, "date_day")) as year,
            \(Portable.datePart(.month, "date_day")) as month,
            \(Portable.datePart(.day, "date_day")) as day,
            \(Portable.datePart(.isoDayOfWeek, "date_day")) as iso_day_of_week
        from (select distinct created_date as date_day from \(ref: IntAcmePortalOrdersEnriched.self)) as dates
        """
    public static let columns = [ModelColumn("date_sk", "surrogate key of the date (an unknown date has its own key)", tests: [.notNull, .unique])]
}

/// One row per customer.
public enum DimCustomer: Model {
    public static let name = "dim_customer"
    public static let layer = ModelLayer.marts
    public static let tags = ["acme_portal"]
    public static let description = "Customers of the Acme portal."
    public static let sql: SQL = """
        select \(Portable.hashedKey("customer_id")) as customer_sk, customer_id, customer_name, email, city, zip
        from \(ref: IntAcmePortalCustomersEnriched.self)
        """
    public static let columns = [ModelColumn("customer_sk", "surrogate key of the customer", tests: [.notNull, .unique])]
}

/// One row per order, joined to its dimensions by surrogate key.
public enum FctOrders: Model {
    public static let name = "fct_orders"
    public static let layer = ModelLayer.marts
    public static let tags = ["acme_portal"]
    public static let description = "Orders with their status, creation date and customer keys."
    public static let sql: SQL = """
        select
            \(Portable.hashedKey("enriched.entity_id")) as order_sk,
            dim_status.status_sk,
            dim_date.date_sk,
            dim_customer.customer_sk,
            enriched.entity_id as order_id,
            enriched.amount,
            enriched.days_since_created,
            enriched.ingested_at
        from \(ref: IntAcmePortalOrdersEnriched.self) as enriched
        left join \(ref: DimStatus.self) as dim_status on enriched.status_clean = dim_status.status_name
        left join \(ref: DimDate.self) as dim_date on \(Portable.hashedKey("enriched.created_date")) = dim_date.date_sk
        left join \(ref: DimCustomer.self) as dim_customer on enriched.customer_id = dim_customer.customer_id
        """
    public static let columns = [
        ModelColumn("order_sk", "surrogate key of the order", tests: [.notNull, .unique]),
        ModelColumn("status_sk", "the order's status", tests: [.notNull, .relationships(to: DimStatus.self, field: "status_sk")]),
        ModelColumn("date_sk", "the order's creation date", tests: [.notNull, .relationships(to: DimDate.self, field: "date_sk")]),
        ModelColumn("customer_sk", "the order's customer; NULL until the customer is loaded",
                    tests: [.relationships(to: DimCustomer.self, field: "customer_sk")]),
    ]
}
