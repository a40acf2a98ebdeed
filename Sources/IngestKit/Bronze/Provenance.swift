import Foundation

/// What bronze records about every artifact: enough to trust and re-parse it
/// without calling the source again.
public struct Provenance: Sendable, Codable, Hashable {
    public var artifactId: String
    public var key: String
    public var sha256: String
    public var size: Int
    /// The source URL with secrets removed.
    public var url: String
    public var contentType: String
    public var extractionMethod: ExtractionMethod
    public var runId: String
    public var extractedAt: String

    public init(artifactId: String, key: String, sha256: String, size: Int, url: String, contentType: String,
                extractionMethod: ExtractionMethod, runId: String, extractedAt: String) {
        self.artifactId = artifactId
        self.key = key
        self.sha256 = sha256
        self.size = size
        self.url = url
        self.contentType = contentType
        self.extractionMethod = extractionMethod
        self.runId = runId
        self.extractedAt = extractedAt
    }

    enum CodingKeys: String, CodingKey {
        case artifactId = "artifact_id"
        case key
        case sha256
        case size
        case url
        case contentType = "content_type"
        case extractionMethod = "extraction_method"
        case runId = "run_id"
        case extractedAt = "extracted_at"
    }

    /// The provenance as object metadata (`x-amz-meta-*` on S3).
    public var metadata: [String: String] {
        [
            "artifact-id": artifactId,
            "sha256": sha256,
            "size": String(size),
            "source-url": url,
            "content-type": contentType,
            "extraction-method": extractionMethod.rawValue,
            "run-id": runId,
            "extracted-at": extractedAt,
        ]
    }
}

/// The list of a run's artifacts, written last: a run's bronze is complete when its manifest exists.
public struct RunManifest: Sendable, Codable {
    public var source: String
    public var dataset: String
    public var runId: String
    public var ingestDate: String
    public var createdAt: String
    public var artifacts: [Provenance]
    /// The records the source said it holds for this run (an API's total, all read); `nil` when it said nothing.
    /// The gate of a staged run reads it: a window the source declared empty is not a parser fault.
    public var declaredTotal: Int?

    enum CodingKeys: String, CodingKey {
        case source, dataset, artifacts
        case runId = "run_id"
        case ingestDate = "ingest_date"
        case createdAt = "created_at"
        case declaredTotal = "declared_total"
    }

    public var totalBytes: Int { artifacts.reduce(0) { $0 + $1.size } }
}
