import Foundation
import IngestCommon

/// What `ingestctl` does, as library calls: another tool can import IngestKit and do the same.
extension Platform {
    /// Runs `source.dataset` on the configured stores and returns its report.
    public func run(_ qualifiedName: String, in registry: SourceRegistry, options: RunOptions = RunOptions()) async throws -> RunReport {
        let dataset = try registry.dataset(qualifiedName)
        _ = try dataset.tableSchema()  // refuse a broken config before any store is touched
        let warehouse = try await openWarehouse()
        let report = await Pipeline(platform: self, warehouse: warehouse).run(dataset, options: options)
        await warehouse.close()
        return report
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
        let warehouse = try await openWarehouse()
        defer { Task { await warehouse.close() } }
        try await warehouse.ensureSchema(IngestionState.schema)
        let state = IngestionState(warehouse.dialect)
        for statement in state.createStatements { try await warehouse.execute(statement) }
        return try await state.recent(source: source, dataset: dataset, limit: limit, in: warehouse)
    }
}

extension RunReport {
    /// The short summary printed at the end of a run.
    public var summary: String {
        var lines: [String] = []
        lines.append("run \(runId) of \(source).\(dataset): \(status.uppercased())")
        if let fromRunId { lines.append("  parsed bronze of run \(fromRunId)") }
        lines.append("  artifacts: \(counts.artifacts) (\(counts.bytes) bytes)\(bronzePrefix.map { " in \($0)" } ?? "")")
        lines.append("  rows: \(counts.parsed) parsed, \(counts.inserted) inserted, \(counts.updated) updated, \(counts.unchanged) unchanged"
                     + (counts.duplicates > 0 ? ", \(counts.duplicates) duplicate keys (last one kept)" : ""))
        lines.append("  steps: " + steps.map { "\($0.name) \($0.status) \(String(format: "%.2fs", $0.seconds))" }.joined(separator: ", "))
        if let gate {
            lines.append("  gate: " + (gate.passed ? "passed" : "FAILED (\(gate.failures.joined(separator: "; ")))"))
        }
        if let error { lines.append("  error: \(error)") }
        lines.append("  warehouse: \(warehouse); bronze: \(bronze)")
        return lines.joined(separator: "\n")
    }
}
