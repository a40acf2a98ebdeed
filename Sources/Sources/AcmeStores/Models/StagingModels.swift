import IngestKit

/// 1:1 with `acme_stores.<store>`, one per store: the store's name added as a column.
public enum StgAcmeStoresSales<Store: AcmeStore>: Model {
    public static var name: String { "stg_acme_stores__\(Store.name)" }
    public static var layer: ModelLayer { .staging }
    public static var tags: [String] { ["acme_stores"] }
    public static var description: String { "Sales of the \(Store.name) store as loaded into silver, one row per sale." }
    public static var sql: SQL {
        """
        select sale_id, '\(raw: Store.name)' as store, sold_date, sku, quantity, amount, ingested_at
        from \(source: AcmeStoresSource.sales[Store.name]!)
        """
    }
    public static var columns: [ModelColumn] { [ModelColumn("sale_id", "the sale's id in the stores API", tests: [.notNull, .unique])] }
}
