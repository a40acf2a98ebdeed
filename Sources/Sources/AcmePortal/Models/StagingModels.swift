import IngestKit

/// 1:1 with `acme_portal.orders`: light renames and trims only.
public enum StgAcmePortalOrders: Model {
    public static let name = "stg_acme_portal__orders"
    public static let layer = ModelLayer.staging
    public static let tags = ["acme_portal", "orders"]
    public static let description = "Orders as loaded into silver, one row per order."
    public static let sql: SQL = """
        select
            entity_id,
            trim(title) as title,
            status,
            created_date,
            amount,
            description,
            source_url,
            customer_id,
            ingested_at
        from \(source: AcmePortalSource.orders)
        """
    public static let columns = [
        ModelColumn("entity_id", "the order's id in the portal", tests: [.notNull, .unique]),
    ]
}

/// 1:1 with `acme_portal.customers`.
public enum StgAcmePortalCustomers: Model {
    public static let name = "stg_acme_portal__customers"
    public static let layer = ModelLayer.staging
    public static let tags = ["acme_portal", "customers"]
    public static let description = "Customers as loaded into silver, one row per customer."
    public static let sql: SQL = """
        select
            entity_id as customer_id,
            trim(name) as customer_name,
            lower(trim(email)) as email,
            city,
            zip,
            ingested_at
        from \(source: AcmePortalSource.customers)
        """
    public static let columns = [
        ModelColumn("customer_id", "the customer's id in the portal", tests: [.notNull, .unique]),
    ]
}
