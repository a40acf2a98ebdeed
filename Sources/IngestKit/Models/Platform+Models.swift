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
