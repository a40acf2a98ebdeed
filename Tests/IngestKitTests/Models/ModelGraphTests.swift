import IngestKit
import IngestTestSupport
import Testing

@Suite struct ModelGraphTests {
    let datasets: Set<String> = ["fixture.items"]

    func graph(_ models: [any Model.Type]) throws -> ModelGraph {
        try ModelGraph(models: models, registeredDatasets: datasets)
    }

    var full: [any Model.Type] {
        [StgFixtureItems.self, IntFixtureItemsEnriched.self, DimItemName.self, FctItems.self, FctItemsWithWarning.self, IntFixtureItemsHistory.self]
    }

    @Test func dependenciesComeFromTheRefs() throws {
        let graph = try graph(full)
        #expect(graph.nodes["fct_items"]?.parents == ["int_fixture__items_enriched", "dim_item_name"])
        #expect(graph.nodes["stg_fixture__items"]?.sources.map(\.qualifiedName) == ["fixture.items"])
        let order = graph.order
        #expect(order.firstIndex(of: "stg_fixture__items")! < order.firstIndex(of: "int_fixture__items_enriched")!)
        #expect(order.firstIndex(of: "dim_item_name")! < order.firstIndex(of: "fct_items")!)
    }

    /// The order a publish drops the relations it replaces in: a model before every model it reads, siblings by name,
    /// so two publishes, and a build reading siblings in name order, take their locks in one order.
    @Test func aPublishDropsDependentsFirstAndSiblingsByName() throws {
        let graph = try graph(full)
        #expect(graph.dependentsFirst(Set(graph.order)) == [
            "fct_items", "dim_item_name", "fct_items_warned", "int_fixture__items_enriched", "int_fixture__items_history", "stg_fixture__items",
        ])
        #expect(graph.dependentsFirst(["stg_fixture__items", "fct_items"]) == ["fct_items", "stg_fixture__items"])
    }

    @Test func cycleIsReportedWithItsPath() throws {
        let error = #expect(throws: IngestError.self) { try graph([CycleA.self, CycleB.self, CycleC.self]) }
        let text = try #require(error).message
        #expect(text.contains("models form a cycle"))
        let path = text.components(separatedBy: ": ").last!.components(separatedBy: " → ")
        #expect(path.count == 4 && path.first == path.last, "the full cycle path: \(text)")
        #expect(Set(path) == ["int_cycle_a", "int_cycle_b", "int_cycle_c"])
    }

    @Test func sourceNotFoundIsTheGuidesError() throws {
        let error = #expect(throws: IngestError.self) { try ModelGraph(models: [StgFixtureItems.self], registeredDatasets: []) }
        #expect(error?.message.contains("source not found: fixture.items") == true)
        #expect(error?.fix?.contains("RegisteredSources.swift") == true)
    }

    @Test func unregisteredParentAndBadNamesAreRefused() throws {
        let missing = #expect(throws: IngestError.self) { try graph([FctItems.self]) }
        #expect(missing?.message.contains("refers to model") == true)
        let badName = #expect(throws: IngestError.self) { try graph([BadlyNamedModel.self]) }
        #expect(badName?.message.contains("does not start with dim_ or fct_") == true)
        let twice = #expect(throws: IngestError.self) { try graph([StgFixtureItems.self, IntFixtureItemsEnriched.self, DimItemName.self, BrokenDimItemName.self]) }
        #expect(twice?.message.contains("two models are named dim_item_name") == true)
    }

    @Test func selectorsHaveDbtsMeaning() throws {
        let selector = ModelSelector(try graph(full))
        #expect(try selector.select("fct_items") == ["fct_items"])
        #expect(try selector.select("dim_item_name+") == ["dim_item_name", "fct_items"])
        #expect(try selector.select("+dim_item_name") == ["dim_item_name", "int_fixture__items_enriched", "stg_fixture__items"])
        #expect(try selector.select("+dim_item_name+") == ["dim_item_name", "int_fixture__items_enriched", "stg_fixture__items", "fct_items"])
        #expect(try selector.select("@dim_item_name") == ["dim_item_name", "fct_items", "int_fixture__items_enriched", "stg_fixture__items"])
        #expect(try selector.select("tag:dims") == ["dim_item_name"])
        #expect(try selector.select("layer:marts") == ["dim_item_name", "fct_items", "fct_items_warned"])
        #expect(try selector.select("source:fixture") == ["stg_fixture__items"])
        #expect(try selector.select("source:fixture.items+").count == 6)
        #expect(try selector.select("layer:marts tag:dims") == ["dim_item_name", "fct_items", "fct_items_warned"], "space is a union")
        #expect(try selector.select("layer:marts,tag:fixture") == ["dim_item_name", "fct_items"], "comma is an intersection")
        #expect(try selector.select("stg_fixture__items+", exclude: "layer:marts") == ["stg_fixture__items", "int_fixture__items_enriched", "int_fixture__items_history"])
        #expect(try selector.select("fct_*") == ["fct_items", "fct_items_warned"])
        #expect(try selector.select(nil).count == 6)
    }

    @Test func aSelectorThatMatchesNothingIsAnError() throws {
        let selector = ModelSelector(try graph(full))
        #expect(throws: IngestError.self) { try selector.select("no_such_model") }
        #expect(throws: IngestError.self) { try selector.select("tag:nope") }
        #expect(throws: IngestError.self) { try selector.select("layer:gold") }
        #expect(throws: IngestError.self) { try selector.select("fct_items", exclude: "fct_items") }
    }

    @Test func manifestAndLineageDescribeTheGraph() throws {
        let catalog = ModelCatalog(try graph(full))
        let manifest = String(decoding: try catalog.manifestJSON(), as: UTF8.self)
        #expect(manifest.contains("\"depends_on_models\""))
        #expect(manifest.contains("relationships_fct_items_name_sk__name_sk__dim_item_name"))
        let entry = try #require(catalog.entries().first { $0.name == "int_fixture__items_history" })
        #expect(entry.materialization == "incremental")
        let mermaid = catalog.mermaid()
        #expect(mermaid.hasPrefix("graph LR"))
        #expect(mermaid.contains("dim_item_name --> fct_items"))
        #expect(mermaid.contains("source_fixture_items --> stg_fixture__items"))
    }

    @Test func sqlRendersRefsPerDialectAndRelation() {
        let context = RenderContext(dialect: .postgres, relation: { "\"x\".\"\($0)\"" })
        let text = FctItems.sql.render(context)
        #expect(text.contains("from \"x\".\"int_fixture__items_enriched\" as i"))
        #expect(text.contains("md5(coalesce(cast(i.id as text), '_null_'))"))
        let history = IntFixtureItemsHistory.sql
        #expect(!history.render(context).contains("max(ingested_at)"), "the incremental filter only on incremental runs")
        let incremental = RenderContext(dialect: .sqlite, relation: { $0 }, this: "\"intermediate\".\"int_fixture__items_history\"", isIncremental: true)
        #expect(history.render(incremental).contains("select max(ingested_at) from \"intermediate\".\"int_fixture__items_history\""))
    }
}
