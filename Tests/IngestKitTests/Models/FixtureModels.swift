import IngestKit
import IngestTestSupport

enum StgFixtureItems: Model {
    static let name = "stg_fixture__items"
    static let layer = ModelLayer.staging
    static let tags = ["fixture"]
    static let sql: SQL = "select id, name, amount, day, quantity, ingested_at from \(source: ItemsTable.self)"
    static let columns = [ModelColumn("id", tests: [.notNull, .unique])]
}

enum IntFixtureItemsEnriched: Model {
    static let name = "int_fixture__items_enriched"
    static let layer = ModelLayer.intermediate
    static let sql: SQL = """
        select id, \(Portable.blankToDefault("name")) as name_clean, day, quantity, \(Portable.daysSince("day")) as age_days
        from \(ref: StgFixtureItems.self)
        """
}

enum DimItemName: Model {
    static let name = "dim_item_name"
    static let layer = ModelLayer.marts
    static let tags = ["fixture", "dims"]
    static let sql: SQL = """
        select \(Portable.hashedKey("name_clean")) as name_sk, name_clean
        from (select distinct name_clean from \(ref: IntFixtureItemsEnriched.self)) as names
        """
    static let columns = [ModelColumn("name_sk", tests: [.notNull, .unique])]
}

enum FctItems: Model {
    static let name = "fct_items"
    static let layer = ModelLayer.marts
    static let tags = ["fixture"]
    static let sql: SQL = """
        select \(Portable.hashedKey("i.id")) as item_sk, d.name_sk, i.id, i.quantity
        from \(ref: IntFixtureItemsEnriched.self) as i
        left join \(ref: DimItemName.self) as d on i.name_clean = d.name_clean
        """
    static let columns = [
        ModelColumn("item_sk", tests: [.notNull, .unique]),
        ModelColumn("name_sk", tests: [.notNull, .relationships(to: DimItemName.self, field: "name_sk")]),
    ]
}

/// dim_item_name with a column that does not exist: the build must fail.
enum BrokenDimItemName: Model {
    static let name = "dim_item_name"
    static let layer = ModelLayer.marts
    static let sql: SQL = "select no_such_column as name_sk from \(ref: IntFixtureItemsEnriched.self)"
}

/// dim_item_name keyed per row instead of per name: its unique test must stop the publish.
enum DuplicatedDimItemName: Model {
    static let name = "dim_item_name"
    static let layer = ModelLayer.marts
    static let sql: SQL = """
        select \(Portable.hashedKey("name_clean")) as name_sk, name_clean, id
        from \(ref: IntFixtureItemsEnriched.self)
        """
    static let columns = [ModelColumn("name_sk", tests: [.notNull, .unique])]
}

/// A fact whose dimension misses some keys: relationships fails.
enum FctItemsPartialDim: Model {
    static let name = "fct_items_partial"
    static let layer = ModelLayer.marts
    static let sql: SQL = """
        select i.id, \(Portable.hashedKey("i.name_clean")) as name_sk from \(ref: IntFixtureItemsEnriched.self) as i
        """
    static let columns = [ModelColumn("name_sk", tests: [.relationships(to: DimFirstNames.self, field: "name_sk")])]
}

enum DimFirstNames: Model {
    static let name = "dim_first_names"
    static let layer = ModelLayer.marts
    static let sql: SQL = """
        select \(Portable.hashedKey("name_clean")) as name_sk from \(ref: IntFixtureItemsEnriched.self) where quantity < 3
        """
}

/// A warn-severity test that fails but does not block the publish.
enum FctItemsWithWarning: Model {
    static let name = "fct_items_warned"
    static let layer = ModelLayer.marts
    static let sql: SQL = "select id, quantity from \(ref: IntFixtureItemsEnriched.self)"
    static let tests = [DataTest.custom("no_big_quantities", severity: .warn, "select * from \(ref: FctItemsWithWarning.self) where quantity > 5")]
}

/// Keeps every id it has seen; adds only rows ingested after its newest.
enum IntFixtureItemsHistory: Model {
    static let name = "int_fixture__items_history"
    static let layer = ModelLayer.intermediate
    static let materialization = Materialization.incremental(uniqueKey: ["id"])
    static let sql: SQL = """
        select id, quantity, ingested_at from \(ref: StgFixtureItems.self)
        \(incremental: "where ingested_at > (select max(ingested_at) from \(this: .model))")
        """
}

enum CycleA: Model {
    static let name = "int_cycle_a"
    static let layer = ModelLayer.intermediate
    static let sql: SQL = "select * from \(ref: CycleB.self)"
}

enum CycleB: Model {
    static let name = "int_cycle_b"
    static let layer = ModelLayer.intermediate
    static let sql: SQL = "select * from \(ref: CycleC.self)"
}

enum CycleC: Model {
    static let name = "int_cycle_c"
    static let layer = ModelLayer.intermediate
    static let sql: SQL = "select * from \(ref: CycleA.self)"
}

enum BadlyNamedModel: Model {
    static let name = "orders_dim"
    static let layer = ModelLayer.marts
    static let sql: SQL = "select 1 as x"
}

/// The fixture source with a chosen set of models.
struct FixtureSource: Source {
    let name = "fixture"
    var pages: [String] = itemPages(count: 60)
    var models: [any Model.Type] = [StgFixtureItems.self, IntFixtureItemsEnriched.self, DimItemName.self, FctItems.self]
    var datasets: [Dataset] { [ItemsDataset.make(pages: pages)] }
}
