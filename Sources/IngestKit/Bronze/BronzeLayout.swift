import IngestCommon

/// Bronze key layout:
/// `bronze/<source>/dataset=<dataset>/ingest_date=<YYYY-MM-DD>/run_id=<run>/<artifact>.<ext>`.
public struct BronzeLayout: Sendable {
    public var source: String
    public var dataset: String

    public init(source: String, dataset: String) {
        self.source = source
        self.dataset = dataset
    }

    public static let manifestName = "_manifest.json"

    public var datasetPrefix: String { "bronze/\(source)/dataset=\(dataset)/" }

    public func runPrefix(ingestDate: String, runId: String) -> String {
        datasetPrefix + "ingest_date=\(ingestDate)/run_id=\(runId)/"
    }

    public func artifactKey(ingestDate: String, runId: String, artifactId: String, contentType: String) -> String {
        runPrefix(ingestDate: ingestDate, runId: runId) + "\(artifactId).\(MediaType.fileExtension(for: contentType))"
    }

    public func manifestKey(ingestDate: String, runId: String) -> String {
        runPrefix(ingestDate: ingestDate, runId: runId) + Self.manifestName
    }
}
