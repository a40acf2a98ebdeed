import IngestKit

/// The sales of every store in one relation: a `union all` of the stores' staging models.
public enum IntAcmeStoresSales: Model {
    public static let name = "int_acme_stores__sales"
    public static let layer = ModelLayer.intermediate
    public static let tags = ["acme_stores"]
    public static let description = "Sales of every Acme store, one row per sale."
    public static let sql: SQL = SQL.joined(AcmeStoresSource.stores.map { store in
        "select sale_id, store, sold_date, sku, quantity, amount, ingested_at from \(ref: store.staging)"
    }, separator: "\nunion all\n")
    public static let columns = [
        ModelColumn("sale_id", "the sale's id (unique across stores: it starts with the store's code)", tests: [.notNull, .unique]),
        ModelColumn("store", "the store the sale was made in", tests: [.notNull]),
    ]
}
