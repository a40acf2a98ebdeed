import IngestKit

/// One row per store; shared by every store's models step.
public enum DimStore: Model {
    public static let name = "dim_store"
    public static let layer = ModelLayer.marts
    public static let tags = ["acme_stores"]
    public static let description = "Acme stores that have sales."
    public static let sql: SQL = """
        select \(Portable.hashedKey("store")) as store_sk, store
        from (select distinct store from \(ref: IntAcmeStoresSales.self)) as stores
        """
    public static let columns = [ModelColumn("store_sk", "surrogate key of the store", tests: [.notNull, .unique])]
}

/// One row per sale of any store, joined to its store; shared by every store's models step.
public enum FctStoreSales: Model {
    public static let name = "fct_store_sales"
    public static let layer = ModelLayer.marts
    public static let tags = ["acme_stores"]
    public static let description = "Sales of every Acme store with the store's key."
    public static let sql: SQL = """
        select
            \(Portable.hashedKey("sales.sale_id")) as sale_sk,
            dim_store.store_sk,
            sales.sale_id,
            sales.sold_date,
            sales.sku,
            sales.quantity,
            sales.amount,
            sales.ingested_at
        from \(ref: IntAcmeStoresSales.self) as sales
        left join \(ref: DimStore.self) as dim_store on sales.store = dim_store.store
        """
    public static let columns = [
        ModelColumn("sale_sk", "surrogate key of the sale", tests: [.notNull, .unique]),
        ModelColumn("store_sk", "the sale's store", tests: [.notNull, .relationships(to: DimStore.self, field: "store_sk")]),
    ]
}
