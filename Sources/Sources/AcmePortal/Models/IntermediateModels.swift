import IngestKit

/// Orders with computed fields and the dimension keys cleaned (NULL or blank → "unknown").
public enum IntAcmePortalOrdersEnriched: Model {
    public static let name = "int_acme_portal__orders_enriched"
    public static let layer = ModelLayer.intermediate
    public static let tags = ["acme_portal", "orders"]
    public static let description = "Orders with days since creation and a clean status."
    public static let sql: SQL = """
        select
            entity_id,
            title,
            status,
            \(Portable.blankToDefault("lower(status)", "unknown")) as status_clean,
            created_date,
            \(Portable.daysSince("created_date")) as days_since_created,
            amount,
            customer_id,
            ingested_at
        from \(ref: StgAcmePortalOrders.self)
        """
    public static let columns = [
        ModelColumn("status_clean", "status in lower case; NULL and blank become unknown", tests: [
            .notNull, .acceptedValues(["shipped", "pending", "cancelled", "delivered", "unknown"]),
        ]),
        ModelColumn("days_since_created", "whole days from created_date to today (UTC)"),
    ]
}

/// Customers with a clean name and city.
public enum IntAcmePortalCustomersEnriched: Model {
    public static let name = "int_acme_portal__customers_enriched"
    public static let layer = ModelLayer.intermediate
    public static let tags = ["acme_portal", "customers"]
    public static let sql: SQL = """
        select
            customer_id,
            \(Portable.blankToDefault("customer_name")) as customer_name,
            email,
            \(Portable.blankToDefault("city")) as city,
            zip,
            ingested_at
        from \(ref: StgAcmePortalCustomers.self)
        """
}
