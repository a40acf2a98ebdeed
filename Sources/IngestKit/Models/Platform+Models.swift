import Foundation
import IngestCommon

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

    /// On PostgreSQL `INGEST_MODEL_THREADS` (default 4), each thread a connection while models build;
    /// 1 on SQLite, which has one writer.
    public var defaultModelThreads: Int {
        guard case .postgres = warehouse else { return 1 }
        return settings["INGEST_MODEL_THREADS"].flatMap { Int($0) }.map { max(1, $0) } ?? 4
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
