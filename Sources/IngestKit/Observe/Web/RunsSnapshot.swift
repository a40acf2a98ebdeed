import Foundation
import IngestCommon

/// What the runs page shows, read afresh from the warehouse on each request: every registered
/// dataset with its recent runs (the ledger, `staging.ingestion_state`), the latest runs of all
/// datasets, their freshness and the model graph.
struct RunsSnapshot: Sendable {
    struct DatasetRuns: Sendable {
        var source: String
        var dataset: String
        /// Newest first, at most ``RunsSnapshot/runsPerDataset``.
        var runs: [RunRecord]
        var qualifiedName: String { "\(source).\(dataset)" }
    }

    static let runsPerDataset = 10
    static let latestRuns = 30

    var datasets: [DatasetRuns]
    /// The newest runs of every dataset together, newest first.
    var latest: [RunRecord]
    var freshness: [FreshnessResult]
    /// `nil` when the models do not form a valid graph (the reason is in `graphError`).
    var graph: ModelGraph?
    var graphError: String?
    var checkedAt: Date

    static func read(platform: Platform, registry: SourceRegistry, now: Date = Date()) async throws -> RunsSnapshot {
        let (datasets, latest) = try await platform.withWarehouse { warehouse -> ([DatasetRuns], [RunRecord]) in
            let state = try await RunLedger.open(warehouse)
            var datasets: [DatasetRuns] = []
            for dataset in registry.datasets {
                let runs = try await state.recent(source: dataset.source, dataset: dataset.name, limit: runsPerDataset, in: warehouse)
                datasets.append(DatasetRuns(source: dataset.source, dataset: dataset.name, runs: runs))
            }
            return (datasets, try await state.recent(limit: latestRuns, in: warehouse))
        }
        let freshness = try await platform.freshness([], in: registry, now: now)
        var graph: ModelGraph?
        var graphError: String?
        do { graph = try registry.modelGraph() } catch { graphError = error.redactedDescription }
        return RunsSnapshot(datasets: datasets, latest: latest, freshness: freshness, graph: graph, graphError: graphError,
                            checkedAt: now)
    }
}

/// Reading the ledger for the pages.
extension RunLedger {
    /// The ledger's statements for this warehouse, the table made (or given its added columns) when needed.
    static func open(_ warehouse: any Warehouse) async throws -> RunLedger {
        let state = RunLedger(warehouse.dialect)
        try await state.prepare(in: warehouse)
        return state
    }

    /// The recorded run with this id and its rejected items, or `nil`.
    static func run(_ runId: String, platform: Platform, registry: SourceRegistry) async throws -> RunDetail? {
        try await platform.withWarehouse { warehouse in
            guard let run = try await open(warehouse).record(runId: runId, in: warehouse) else { return nil }
            return try await RunDetail.read(run, registry: registry, in: warehouse)
        }
    }

    /// Seconds between the run's start and its end, when it ended.
    static func duration(_ run: RunRecord) -> Double? {
        let started = run.startedAt.date
        guard let finished = run.finishedAt?.date else { return nil }
        return finished.timeIntervalSince(started)
    }
}

/// One run with what its page shows beyond the ledger row: its rejected items.
struct RunDetail: Sendable {
    /// At most this many rejected items are listed on a run's page (`ingestctl rejects` lists them all).
    static let rejectsShown = 200

    var run: RunRecord
    /// The run's rows of `<schema>.<table>__rejects`, by artifact and item, at most ``rejectsShown``.
    var rejects: [RejectRecord]
    /// The rejects table read (`acme_portal.orders__rejects`), or why none could be read.
    var rejectsSource: String
    var rejectsReadable: Bool

    /// Reads the run's rejects from its dataset's rejects table, without creating it: the page is read-only.
    static func read(_ run: RunRecord, registry: SourceRegistry, in warehouse: any Warehouse) async throws -> RunDetail {
        let qualifiedName = "\(run.source).\(run.dataset)"
        guard let dataset = try? registry.dataset(qualifiedName), let table = try? dataset.tableSchema() else {
            return RunDetail(run: run, rejects: [], rejectsSource: "\(qualifiedName) is not registered in this build, so its rejects table is unknown",
                             rejectsReadable: false)
        }
        let rejects = RejectsTable(for: table, dialect: warehouse.dialect)
        let name = "\(rejects.schema).\(rejects.table)"
        guard !(try await warehouse.existingColumns(schema: rejects.schema, table: rejects.table)).isEmpty else {
            return RunDetail(run: run, rejects: [], rejectsSource: name, rejectsReadable: true)
        }
        let rows = try await rejects.list(runId: run.runId, limit: rejectsShown, in: warehouse)
        let records = rows.map(RejectRecord.init(row:)).sorted { ($0.artifactId, $0.itemIndex) < ($1.artifactId, $1.itemIndex) }
        return RunDetail(run: run, rejects: records, rejectsSource: name, rejectsReadable: true)
    }
}
