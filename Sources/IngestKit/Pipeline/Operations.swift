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
        return try await withWarehouse(connections: threads) { warehouse in
            await Pipeline(platform: self, warehouse: warehouse, models: (graph, registry.sourceTables, threads)).run(dataset, options: options)
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

extension RunReport {
    /// The short summary printed at the end of a run.
    public var summary: String {
        var lines: [String] = []
        let continues = succeeded && !ran(.gate)
        lines.append("run \(runId) of \(source).\(dataset): \(status.rawValue.uppercased())" + (continues ? " (steps done; the run continues: its gate has not run yet)" : ""))
        if let fromRunId { lines.append("  parsed bronze of run \(fromRunId)") }
        if let replayedRuns { lines.append("  replayed \(replayedRuns.count) stored run(s) in order: \(replayedRuns.joined(separator: ", "))") }
        lines.append("  artifacts: \(counts.artifacts) (\(counts.bytes) bytes)\(bronzePrefix.map { " in \($0)" } ?? "")")
        if let stopReason { lines.append("  pages: \(stopReason)") }
        for notice in notices { lines.append("  notice: \(notice)") }
        lines.append("  rows: \(counts.parsed) parsed, \(counts.inserted) inserted, \(counts.updated) updated, \(counts.unchanged) unchanged"
                     + (counts.duplicates > 0 ? ", \(counts.duplicates) duplicate keys (last one kept)" : "")
                     + (counts.sanitized > 0 ? ", \(counts.sanitized) sanitized (NUL characters removed)" : "")
                     + (counts.rejected > 0 ? ", \(counts.rejected) rejected (`ingestctl rejects \(source).\(dataset) --run \(runId)`)" : ""))
        if !drift.isEmpty { lines.append("  drift: " + drift.map { "\($0.path) (\($0.count))" }.joined(separator: ", ")) }
        lines.append("  steps: " + steps.map { "\($0.name) \($0.status) \(String(format: "%.2fs", $0.seconds))" }.joined(separator: ", "))
        if let gate {
            lines.append("  gate: " + (gate.passed ? "passed" : "FAILED (\(gate.failures.joined(separator: "; ")))"))
        }
        if let models {
            lines.append("  models: \(models.built) built, \(models.failed) failed, \(models.skipped) skipped; tests \(models.testsPassed) passed, \(models.testsFailed) failed"
                         + (modelsPublished == true ? "; published" : "; not published"))
        }
        if let error { lines.append("  error: \(error)") }
        lines.append("  warehouse: \(warehouse); bronze: \(bronze)")
        return lines.joined(separator: "\n")
    }
}

extension Platform {
    /// `ingestctl models run|test|build`: runs the command and writes its results as JSON under
    /// `$INGEST_HOME/target/` (`run_results.json`, and one file per invocation in `run_results/`).
    public func models(_ command: ModelRunner.Command, in registry: SourceRegistry, select: String?, exclude: String? = nil,
                       threads: Int? = nil) async throws -> ModelResults {
        let graph = try registry.modelGraph()
        let threads = threads ?? defaultModelThreads
        let results = try await withWarehouse(connections: threads) { warehouse in
            try await ModelRunner(warehouse: warehouse, graph: graph, sourceTables: registry.sourceTables, threads: threads)
                .execute(command, select: select, exclude: exclude)
        }
        try writeResults(results)
        return results
    }

    /// 4 on PostgreSQL; 1 on SQLite, which has one writer.
    public var defaultModelThreads: Int {
        if case .postgres = warehouse { return 4 }
        return 1
    }

    public var resultsFolder: String { (home as NSString).appendingPathComponent("target") }

    func writeResults(_ results: ModelResults) throws {
        let folder = (resultsFolder as NSString).appendingPathComponent("run_results")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let data = try results.json()
        try data.write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent("\(results.invocationId).json")))
        try data.write(to: URL(fileURLWithPath: (resultsFolder as NSString).appendingPathComponent("run_results.json")))
    }
}
