import Foundation
import IngestKit

/// Any number of sources made from the fixture items, for tests of many schemas at once.
///
/// Source number N is `gen_NN` with one dataset, `items` (the fixture's columns), its own pages
/// (`20 + N` items, every third renamed from N on), a staging model `stg_gen_NN__items` and an
/// intermediate model `int_gen_NN__items`. Configs and models are Swift types, so the sources are
/// types too, made by nesting: `NextGenerated<FirstGenerated>` is source 2. `GeneratedSources.make(count:)`
/// lists the first `count`; the first source also owns two marts that read across sources.
public protocol GeneratedSourceNumber: Sendable {
    static var number: Int { get }
    /// Appends `union all` branches reading every source from 1 to this one (for `FctGeneratedItemsAll`).
    static func appendUnion(to sql: inout SQL.StringInterpolation)
}

public enum FirstGenerated: GeneratedSourceNumber {
    public static var number: Int { 1 }
    public static func appendUnion(to sql: inout SQL.StringInterpolation) {
        GeneratedItemsTable<Self>.appendBranch(to: &sql)
    }
}

public enum NextGenerated<Previous: GeneratedSourceNumber>: GeneratedSourceNumber {
    public static var number: Int { Previous.number + 1 }
    public static func appendUnion(to sql: inout SQL.StringInterpolation) {
        Previous.appendUnion(to: &sql)
        sql.appendLiteral("\nunion all\n")
        GeneratedItemsTable<Self>.appendBranch(to: &sql)
    }
}

public typealias Generated1 = FirstGenerated
public typealias Generated2 = NextGenerated<Generated1>
public typealias Generated3 = NextGenerated<Generated2>

public enum GeneratedItemsTable<N: GeneratedSourceNumber>: SourceTableConfig {
    public typealias Row = ItemRow
    public static var sourceName: String { "gen_" + (N.number < 10 ? "0" : "") + String(N.number) }
    public static var dataset: String { "items" }
    public static var columns: [Column<ItemRow>] { ItemsTable.columns }

    static func appendBranch(to sql: inout SQL.StringInterpolation) {
        sql.appendLiteral("select '\(sourceName)' as source_name, id, name, quantity from ")
        sql.appendInterpolation(source: Self.self)
    }

    /// The items this source serves.
    public static var itemCount: Int { 20 + N.number }
    public static var pages: [String] {
        itemPages(count: itemCount, pageSize: 10, changed: Set(stride(from: N.number % 3, to: itemCount, by: 3)))
    }
}

public enum GeneratedItemsDataset<N: GeneratedSourceNumber> {
    public static func make() -> Dataset {
        Dataset(table: GeneratedItemsTable<N>.self, extractor: PagesExtractor(pages: GeneratedItemsTable<N>.pages),
                parse: .parser(ItemsParser()), watermark: .latest(\.day))
    }
}

public enum StgGeneratedItems<N: GeneratedSourceNumber>: Model {
    public static var name: String { "stg_\(GeneratedItemsTable<N>.sourceName)__items" }
    public static var layer: ModelLayer { .staging }
    public static var sql: SQL { "select id, name, quantity, day from \(source: GeneratedItemsTable<N>.self)" }
    public static var columns: [ModelColumn] { [ModelColumn("id", tests: [.notNull, .unique])] }
}

public enum IntGeneratedItems<N: GeneratedSourceNumber>: Model {
    public static var name: String { "int_\(GeneratedItemsTable<N>.sourceName)__items" }
    public static var layer: ModelLayer { .intermediate }
    public static var sql: SQL {
        "select id, \(Portable.blankToDefault("name")) as name_clean, quantity from \(ref: StgGeneratedItems<N>.self)"
    }
}

/// A mart joining three sources' intermediate models on the item id.
public enum FctGeneratedCrossSource: Model {
    public static let name = "fct_generated_cross_source"
    public static let layer = ModelLayer.marts
    public static let sql: SQL = """
        select \(Portable.hashedKey("a.id")) as item_sk, a.id,
               a.name_clean as name_gen_01, b.name_clean as name_gen_02, c.name_clean as name_gen_03,
               a.quantity + b.quantity + c.quantity as quantity_total
        from \(ref: IntGeneratedItems<Generated1>.self) as a
        join \(ref: IntGeneratedItems<Generated2>.self) as b on b.id = a.id
        join \(ref: IntGeneratedItems<Generated3>.self) as c on c.id = a.id
        """
    public static let columns = [ModelColumn("item_sk", tests: [.notNull, .unique])]
}

/// A mart reading the silver tables of sources 1…`Last` in one statement (every schema at once).
public enum FctGeneratedItemsAll<Last: GeneratedSourceNumber>: Model {
    public static var name: String { "fct_generated_items_all" }
    public static var layer: ModelLayer { .marts }
    public static var sql: SQL {
        var sql = SQL.StringInterpolation(literalCapacity: 0, interpolationCount: 0)
        Last.appendUnion(to: &sql)
        return SQL(stringInterpolation: sql)
    }
}

public struct GeneratedSource<N: GeneratedSourceNumber>: Source {
    public var name: String { GeneratedItemsTable<N>.sourceName }
    public var datasets: [Dataset] { [GeneratedItemsDataset<N>.make()] }
    public var models: [any Model.Type]

    public init(extraModels: [any Model.Type] = []) {
        models = [StgGeneratedItems<N>.self, IntGeneratedItems<N>.self] + extraModels
    }
}

public enum GeneratedSources {
    /// Sources `gen_01` … `gen_<count>` (count ≥ 3); `gen_01` also owns `fct_generated_cross_source`
    /// and `fct_generated_items_all` (over all `count`).
    public static func make(count: Int) -> [any Source] {
        precondition(count >= 3, "the cross-source mart joins sources 1, 2 and 3")
        let (rest, allMart) = collect(NextGenerated<FirstGenerated>.self, remaining: count - 1)
        return [GeneratedSource<FirstGenerated>(extraModels: [FctGeneratedCrossSource.self, allMart])] + rest
    }

    /// Sources N … N + remaining - 1, and the all-sources mart typed by the last of them.
    private static func collect<N: GeneratedSourceNumber>(_: N.Type, remaining: Int) -> (sources: [any Source], allMart: any Model.Type) {
        if remaining == 1 { return ([GeneratedSource<N>()], FctGeneratedItemsAll<N>.self) }
        let (rest, allMart) = collect(NextGenerated<N>.self, remaining: remaining - 1)
        return ([GeneratedSource<N>()] + rest, allMart)
    }
}
