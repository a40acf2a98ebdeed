import IngestKit

/// The acme_stores source: the sales of each Acme store, one dataset per store
/// (`acme_stores.amsterdam`, `acme_stores.berlin`, …), all from the same REST API
/// (`GET /v1/stores/<store>/sales`), and marts shared by every store.
///
/// It shows how a source declares many datasets from one list: a new store is one
/// `AcmeStore` type added to `stores`. Every dataset's models step rebuilds the shared
/// `int_acme_stores__sales`, `dim_store` and `fct_store_sales`, so runs of different
/// stores publish the same marts at once (the scale test, `scripts/scale-test.sh`, runs them so).
///
/// With no `ACME_STORES_BASE_URL`, it serves a built-in demo of the API on 127.0.0.1.
public struct AcmeStoresSource: Source {
    public init() {}

    public static let sourceName = "acme_stores"

    /// The stores, each a dataset named after it; add a store here (and its `AcmeStore` type).
    public static let stores: [any AcmeStore.Type] = [
        Amsterdam.self, Berlin.self, Dublin.self, Lisbon.self, Madrid.self, Milan.self, Oslo.self, Paris.self,
    ]

    /// Each store's dataset, by store name.
    public static let sales: [String: Dataset] = Dictionary(uniqueKeysWithValues: stores.map { ($0.name, salesDataset($0.name)) })

    public var datasets: [Dataset] { Self.stores.map { Self.sales[$0.name]! } }

    public var models: [any Model.Type] {
        Self.stores.map { $0.staging } + [IntAcmeStoresSales.self, DimStore.self, FctStoreSales.self]
    }

    public var variables: [SourceVariable] {
        [
            SourceVariable("ACME_STORES_BASE_URL", "the stores API's base URL; unset: a built-in demo API on 127.0.0.1", example: "https://stores.acme.example"),
            SourceVariable("ACME_STORES_API_TOKEN", "bearer token for the stores API (the demo accepts any token it is started with)", secret: true,
                           requirement: .requiredWhenSet("ACME_STORES_BASE_URL")),
            SourceVariable("ACME_STORES_DEMO_SALES", "sales per store the demo API serves (default \(StoreSalesDemoAPI.defaultSales))"),
            SourceVariable("ACME_STORES_DEMO_PORT", "port of the demo API on 127.0.0.1 (default \(StoreSalesDemoAPI.defaultPort))"),
        ]
    }

    /// `acme_stores.<store>`: one row per sale of that store.
    public static func salesDataset(_ store: String) -> Dataset {
        dataset(
            store,
            columns: [
                Column("sale_id", \SaleRow.saleId, primaryKey: true),
                Column("sold_date", \.soldDate, index: true),
                Column("sku", \.sku),
                Column("quantity", \.quantity),
                Column("amount", \.amount),
            ],
            extractor: StoreSalesExtractor(store: store),
            parse: .items(parseSales),
            description: "Sales of the Acme store \(store) (`GET /v1/stores/\(store)/sales`, bearer token, paged): one row per sale in `acme_stores.\(store)`.",
            orchestration: Orchestration(schedule: "0 3 * * *", retries: 3, retryDelaySeconds: 60))
    }
}

/// An Acme store: its name is its dataset's name and the `<store>` of the API's path.
public protocol AcmeStore: Sendable {
    static var name: String { get }
}

extension AcmeStore {
    /// The store's staging model, `stg_acme_stores__<store>`.
    public static var staging: any Model.Type { StgAcmeStoresSales<Self>.self }
}

public enum Amsterdam: AcmeStore { public static let name = "amsterdam" }
public enum Berlin: AcmeStore { public static let name = "berlin" }
public enum Dublin: AcmeStore { public static let name = "dublin" }
public enum Lisbon: AcmeStore { public static let name = "lisbon" }
public enum Madrid: AcmeStore { public static let name = "madrid" }
public enum Milan: AcmeStore { public static let name = "milan" }
public enum Oslo: AcmeStore { public static let name = "oslo" }
public enum Paris: AcmeStore { public static let name = "paris" }
