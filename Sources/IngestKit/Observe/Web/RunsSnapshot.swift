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
        let warehouse = try await platform.openWarehouse()
        var datasets: [DatasetRuns] = []
        var latest: [RunRecord] = []
        do {
            let state = try await RunLedger.open(warehouse)
            for dataset in registry.datasets {
                let runs = try await state.recent(source: dataset.source, dataset: dataset.name, limit: runsPerDataset, in: warehouse)
                datasets.append(DatasetRuns(source: dataset.source, dataset: dataset.name, runs: runs))
            }
            latest = try await state.recent(limit: latestRuns, in: warehouse)
            await warehouse.close()
        } catch {
            await warehouse.close()
            throw error
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
enum RunLedger {
    /// The ledger's statements for this warehouse, the table made (or given its added columns) when needed.
    static func open(_ warehouse: any Warehouse) async throws -> IngestionState {
        let state = IngestionState(warehouse.dialect)
        try await state.prepare(in: warehouse)
        return state
    }

    /// The recorded run with this id, or `nil`.
    static func run(_ runId: String, platform: Platform) async throws -> RunRecord? {
        let warehouse = try await platform.openWarehouse()
        do {
            let run = try await open(warehouse).record(runId: runId, in: warehouse)
            await warehouse.close()
            return run
        } catch {
            await warehouse.close()
            throw error
        }
    }

    /// Seconds between the run's start and its end, when it ended.
    static func duration(_ run: RunRecord) -> Double? {
        guard let started = LocalTimestamp(iso: run.startedAt)?.date,
              let finished = run.finishedAt.flatMap({ LocalTimestamp(iso: $0)?.date }) else { return nil }
        return finished.timeIntervalSince(started)
    }
}
