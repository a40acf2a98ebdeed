import Foundation
import IngestCommon

/// Runs, tests and builds models on a warehouse.
///
/// - `run`: each selected model is built into its shadow relation and swapped
///   in at once (one transaction per model); a failed model keeps its previous
///   version and its descendants are skipped.
/// - `test`: the selected models' data tests, on the published relations.
/// - `build` (write-audit-publish): every selected model is built into its
///   shadow, their tests run there, and only when no model failed and no
///   error-severity test failed are they all published in one transaction.
///   Otherwise the published models stay exactly as they were.
///
/// Independent models run concurrently, up to `threads` at a time. Builds of the same models in other
/// processes at once are safe: shadows are named per invocation, a publish locks each model for its
/// transaction and skips models a newer build already published (`ModelPublishes`), and DDL and
/// publishes wait for a lock at most `INGEST_LOCK_TIMEOUT_SECONDS` at a time (`boundedTransaction`).
public struct ModelRunner: Sendable {
    public enum Command: String, Sendable, CaseIterable { case run, test, build }

    public let warehouse: any Warehouse
    public let graph: ModelGraph
    /// Silver tables by `source.dataset`, so a build can create missing source tables (empty) first.
    public let sourceTables: [String: TableSchema]
    public let threads: Int

    public init(warehouse: any Warehouse, graph: ModelGraph, sourceTables: [String: TableSchema], threads: Int) {
        self.warehouse = warehouse
        self.graph = graph
        self.sourceTables = sourceTables
        self.threads = max(1, threads)
        let token = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        self.relations = Relations(warehouse: warehouse, invocation: String(repeating: "0", count: 8 - token.count) + token)
    }

    let relations: Relations

    public func execute(_ command: Command, select: String?, exclude: String? = nil) async throws -> ModelResults {
        let clock = ContinuousClock.now
        var results = ModelResults(invocationId: Pipeline.newRunId(), command: command.rawValue, selection: select,
                                   dialect: warehouse.dialect.rawValue, startedAt: LocalTimestamp(Date()))
        let selected = try ModelSelector(graph).select(select, exclude: exclude)
        switch command {
        case .test:
            results.results = await runTests(of: graph.ordered(selected), shadowed: [])
        case .run, .build:
            let buildSet = try await prepare(selected)
            let publishes = try await ModelPublishes.start(invocationId: results.invocationId, in: warehouse)
            let models = await buildModels(graph.ordered(buildSet), publishEach: command == .run, publishes: publishes)
            results.results = models
            if command == .run {
                results.published = models.allSatisfy { $0.status == .success }
            } else {
                let built = Set(models.filter { $0.status == .success }.map(\.name))
                let tests = await runTests(of: graph.ordered(built), shadowed: built)
                results.results += tests
                let failedModels = models.filter { $0.status != .success }.map(\.name)
                let failedTests = tests.filter { $0.status == .fail || $0.status == .error }.map(\.name)
                if failedModels.isEmpty && failedTests.isEmpty {
                    do {
                        let skipped = try await publish(graph.ordered(buildSet), publishes: publishes)
                        results.published = true
                        if !skipped.isEmpty {
                            results.message = "a newer build already published \(skipped.joined(separator: ", ")); kept it"
                        }
                    } catch {
                        results.message = "publish failed, nothing was changed: \(error.redactedDescription)"
                    }
                } else {
                    let reasons = (failedModels.map { "model \($0) failed" } + failedTests.map { "test \($0) failed" })
                    results.message = "audit failed: \(reasons.joined(separator: ", ")); the published models are unchanged"
                }
                await dropShadows(graph.ordered(buildSet))
            }
        }
        results.elapsedSeconds = (ContinuousClock.now - clock).seconds
        return results
    }

    /// Creates schemas and missing source tables, and adds unselected ancestors that were never built.
    func prepare(_ selected: Set<String>) async throws -> Set<String> {
        var buildSet = selected
        // Models the selection reads, and models its tests read (relationships), with their ancestors.
        let testRefs = Set(selected.flatMap { graph.nodes[$0]?.testRefs ?? [] })
        let reach = selected.union(testRefs)
        let involved = reach.union(reach.flatMap(graph.ancestors(of:)))
        let schemas = relations.schemas(for: Set(involved.compactMap { graph.nodes[$0]?.model.layer }))
        for schema in schemas { try await warehouse.ensureSchema(schema) }
        try await relations.load(schemas: schemas)
        // A silver table the models read is created (empty) only when missing: a build touches no other dataset's table.
        let sources = Set(involved.flatMap { graph.nodes[$0]?.sources ?? [] })
        for source in sources.sorted(by: { $0.qualifiedName < $1.qualifiedName }) {
            if let table = sourceTables[source.qualifiedName], try await warehouse.existingColumns(schema: table.schema, table: table.table).isEmpty {
                try await SilverTables(warehouse: warehouse).ensure(table)
            }
        }
        for name in graph.ordered(involved.subtracting(selected)) {
            let model = graph.nodes[name]!.model
            // On SQLite a view is a table (SQLite cannot rename a view, which publishing needs): refresh it whenever it is read.
            let staleView = !warehouse.dialect.sql.buildsViews && model.materialization == .view
            let missing = try await relations.kind(of: relations.published(model), in: warehouse) == nil
            if staleView || missing {
                buildSet.insert(name)
            }
        }
        return buildSet
    }

    func context(shadowed: Set<String>, this: String? = nil, incremental: Bool = false) -> RenderContext {
        let relations = self.relations
        let graph = self.graph
        return RenderContext(dialect: warehouse.dialect, relation: { name in
            guard let model = graph.nodes[name]?.model else { return name }
            return relations.quoted(shadowed.contains(name) ? relations.shadow(model) : relations.published(model))
        }, this: this, isIncremental: incremental)
    }

    /// Builds models in dependency order, `threads` at a time; a failure skips the descendants.
    /// `publishEach` (`run`): each model is published as soon as it is built (`publishes`: `nil` on SQLite).
    func buildModels(_ order: [String], publishEach: Bool, publishes: ModelPublishes?) async -> [ModelResults.Node] {
        let inBuild = Set(order)
        var done: [String: ModelResults.Node] = [:]
        var waiting = order
        var running = Set<String>()
        await withTaskGroup(of: ModelResults.Node.self) { group in
            while !waiting.isEmpty || !running.isEmpty {
                var started = false
                for name in waiting where running.count < threads {
                    let parents = graph.nodes[name]!.parents.filter(inBuild.contains)
                    if parents.contains(where: { done[$0] == nil }) { continue }
                    waiting.removeAll { $0 == name }
                    if let broken = parents.first(where: { done[$0]?.status != .success }) {
                        done[name] = ModelResults.Node(status: .skipped, name: name, kind: .model, seconds: 0,
                                                       message: "skipped because \(broken) did not build")
                        started = true
                        continue
                    }
                    running.insert(name)
                    started = true
                    let shadowed = publishEach ? Set<String>() : inBuild
                    group.addTask { await self.buildOne(name, shadowed: shadowed, publish: publishEach, publishes: publishes) }
                }
                if started && !waiting.isEmpty && running.count < threads { continue }
                guard let finished = await group.next() else { break }
                running.remove(finished.name)
                done[finished.name] = finished
            }
        }
        return order.compactMap { done[$0] }
    }

    func buildOne(_ name: String, shadowed: Set<String>, publish: Bool, publishes: ModelPublishes?) async -> ModelResults.Node {
        let clock = ContinuousClock.now
        let model = graph.nodes[name]!.model
        let shadow = relations.quoted(relations.shadow(model))
        let published = relations.quoted(relations.published(model))
        do {
            try await relations.drop(relations.shadow(model), in: warehouse)
            let exists = try await relations.kind(of: relations.published(model), in: warehouse) != nil
            let full = model.sql.render(context(shadowed: shadowed, this: published))
            var statements: [String]
            switch model.materialization {
            case .view where warehouse.dialect.sql.buildsViews:
                statements = ["CREATE VIEW \(shadow) AS\n\(full)"]
            case .view, .table:
                statements = ["CREATE TABLE \(shadow) AS\n\(full)"]
            case .incremental(let key) where exists:
                let newRows = model.sql.render(context(shadowed: shadowed, this: published, incremental: true))
                let keys = key.map(warehouse.dialect.quote).joined(separator: ", ")
                let keyTuple = key.count == 1 ? keys : "(\(keys))"
                statements = ["CREATE TABLE \(shadow) AS SELECT * FROM \(published)",
                              "DELETE FROM \(shadow) WHERE \(keyTuple) IN (SELECT \(keys) FROM (\(newRows)) AS new_rows)",
                              "INSERT INTO \(shadow) SELECT * FROM (\(newRows)) AS new_rows"]
            case .incremental:
                statements = ["CREATE TABLE \(shadow) AS\n\(full)"]
            }
            try await warehouse.boundedTransaction("building model \(name)") { [statements] session in
                for statement in statements { try await session.execute(statement) }
            }
            let isView = model.materialization == .view && warehouse.dialect.sql.buildsViews
            relations.known.set(relations.shadow(model), isView ? .view : .table)
            let rows = Int(try await warehouse.execute("SELECT count(*) AS n FROM \(shadow)").first?["n"] ?? "") ?? 0
            var message: String?
            if publish {
                let skipped = try await self.publish([name], publishes: publishes)
                if !skipped.isEmpty {
                    try? await relations.drop(relations.shadow(model), in: warehouse)
                    message = "a newer build already published \(name); kept it"
                }
            }
            return ModelResults.Node(status: .success, name: name, kind: .model, seconds: (ContinuousClock.now - clock).seconds,
                                     rowsAffected: rows, message: message)
        } catch {
            try? await relations.drop(relations.shadow(model), in: warehouse)
            return ModelResults.Node(status: .error, name: name, kind: .model, seconds: (ContinuousClock.now - clock).seconds,
                                     message: "model \(name) failed, its previous version is kept: \(error.redactedDescription)")
        }
    }

    /// Every test of the given models; `shadowed` models are read from their shadow relations.
    func runTests(of models: [String], shadowed: Set<String>) async -> [ModelResults.Node] {
        var jobs: [(model: any Model.Type, column: String?, test: DataTest)] = []
        for name in models {
            let model = graph.nodes[name]!.model
            for column in model.columns { for test in column.tests { jobs.append((model, column.name, test)) } }
            for test in model.tests { jobs.append((model, nil, test)) }
        }
        let context = context(shadowed: shadowed)
        var results = [ModelResults.Node?](repeating: nil, count: jobs.count)
        await withTaskGroup(of: (Int, ModelResults.Node).self) { group in
            var next = 0
            func startNext() {
                guard next < jobs.count else { return }
                let index = next
                let job = jobs[index]
                next += 1
                group.addTask { (index, await self.runTest(job.test, model: job.model, column: job.column, context: context)) }
            }
            for _ in 0..<threads { startNext() }
            while let (index, node) = await group.next() {
                results[index] = node
                startNext()
            }
        }
        return results.compactMap { $0 }
    }

    func runTest(_ test: DataTest, model: any Model.Type, column: String?, context: RenderContext) async -> ModelResults.Node {
        let clock = ContinuousClock.now
        let name = test.name(model: model.name, column: column)
        let failing = test.failingRowsSQL(relation: context.relation(model.name), column: column, context: context)
        do {
            let count = Int(try await warehouse.execute("SELECT count(*) AS n FROM (\(failing)) AS failing").first?["n"] ?? "") ?? 0
            var node = ModelResults.Node(status: .success, name: name, kind: .test, model: model.name,
                                         seconds: 0, failures: count)
            if count > 0 {
                let samples = try await warehouse.execute("SELECT * FROM (\(failing)) AS failing LIMIT 5")
                node.status = test.severity == .warn ? .warn : .fail
                node.samples = samples.map { row in Dictionary(uniqueKeysWithValues: zip(row.columns, row.values)) }
                node.message = "\(count) failing rows (\(test.severity.rawValue))" + (test.hint(model: model.name, column: column).map { ": \($0)" } ?? "")
            }
            node.seconds = (ContinuousClock.now - clock).seconds
            return node
        } catch {
            return ModelResults.Node(status: .error, name: name, kind: .test, model: model.name,
                                     seconds: (ContinuousClock.now - clock).seconds, message: error.redactedDescription)
        }
    }

    /// Swaps every shadow into place in one transaction: dependents are dropped first (`dependentsFirst`: siblings by
    /// name, reading the catalog under the models' locks), then shadows move in graph order.
    /// On PostgreSQL (`publishes`) each model is locked for the transaction, and a model a newer build already published
    /// is skipped with the models of `order` that descend from it; returns the skipped ones.
    func publish(_ order: [String], publishes: ModelPublishes?) async throws -> [String] {
        let relations = self.relations
        let graph = self.graph
        let names = order.map { graph.nodes[$0]!.model }.map { ModelPublishes.key(relations.published($0)) }
        do {
            return try await warehouse.boundedTransaction("publishing \(order.joined(separator: ", "))") { session in
                var skipped = Set<String>()
                if let publishes {
                    let newer = try await publishes.lock(names, in: session)
                    for (name, published) in zip(order, names) where newer.contains(published) {
                        skipped.insert(name)
                        skipped.formUnion(graph.descendants(of: name).intersection(order))
                    }
                }
                let models = order.filter { !skipped.contains($0) }.map { graph.nodes[$0]!.model }
                for name in graph.dependentsFirst(Set(order).subtracting(skipped)) {
                    try await relations.drop(relations.published(graph.nodes[name]!.model), in: session, readingCatalog: true)
                }
                for model in models { try await relations.publish(model, in: session) }
                try await publishes?.record(models.map { ModelPublishes.key(relations.published($0)) }, in: session)
                return order.filter(skipped.contains)
            }
        } catch {
            relations.known.invalidate()  // the transaction rolled back: what we noted is wrong
            throw error
        }
    }

    func dropShadows(_ order: [String]) async {
        for name in order.reversed() {
            try? await relations.drop(relations.shadow(graph.nodes[name]!.model), in: warehouse)
        }
    }
}
