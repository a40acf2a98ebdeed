import Foundation
import IngestCommon

/// What `ingestctl` does, as library calls: another tool can import IngestKit and do the same.
extension Platform {
    /// Runs `source.dataset` on the configured stores and returns its report.
    public func run(_ qualifiedName: String, in registry: SourceRegistry, options: RunOptions = RunOptions()) async throws -> RunReport {
        let dataset = try registry.dataset(qualifiedName)
        _ = try dataset.tableSchema()  // refuse a broken config before any store is touched
        let graph = try registry.modelGraph()
        let threads = defaultModelThreads
        // Connections open when a step needs SQL (the extract needs none), so a refused one fails the run with a report.
        return try await withWarehouse(connections: threads, lazily: true) { warehouse in
            let pipeline = Pipeline(platform: self, warehouse: warehouse, models: (graph, registry.sourceTables, threads))
            do {
                // The first connection (the preflight reuses it); a warehouse refusing it fails the run to start, with a report.
                try await warehouse.execute("SELECT 1 AS ok")
            } catch let error as WarehouseUnreachable {
                return pipeline.failedToStart(dataset, options: options, error: error)
            }
            return await pipeline.run(dataset, options: options)
        }
    }

    /// Recent runs from `staging.ingestion_state`, newest first.
    public func recentRuns(_ qualifiedName: String? = nil, in registry: SourceRegistry, limit: Int = 20) async throws -> [RunRecord] {
        var source: String?
        var dataset: String?
        if let qualifiedName {
            if qualifiedName.contains(".") {
                let found = try registry.dataset(qualifiedName)
                source = found.source
                dataset = found.name
            } else {
                source = qualifiedName
            }
        }
        return try await withWarehouse { [source, dataset] warehouse in
            try await RunLedger.open(warehouse).recent(source: source, dataset: dataset, limit: limit, in: warehouse)
        }
    }
}
