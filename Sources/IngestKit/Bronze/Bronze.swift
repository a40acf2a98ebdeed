import Foundation
import IngestCommon

/// Bronze for one dataset: stores artifacts with provenance, writes the run
/// manifest, and reads a past run back, checking every byte against its hash.
public struct Bronze: Sendable {
    public let store: any ObjectStore
    public let layout: BronzeLayout

    public init(store: any ObjectStore, source: String, dataset: String) {
        self.store = store
        self.layout = BronzeLayout(source: source, dataset: dataset)
    }

    static func isSafeArtifactId(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 200 && !id.hasPrefix(".") && id.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
    }

    /// Stores one artifact unchanged; its URL is stored without secrets. A store that fails throws an error
    /// naming the artifact, its key, its size and the store's reason (an OS reason in words, or S3's status and code).
    package func write(_ artifact: RawArtifact, runId: String, ingestDate: String, extractedAt: String) async throws -> Provenance {
        guard Self.isSafeArtifactId(artifact.artifactId), artifact.artifactId != BronzeLayout.manifestName else {
            throw IngestError("artifact id \"\(artifact.artifactId)\" is not a safe file name",
                              fix: "use letters, digits, _, - and . only, e.g. page_0001")
        }
        let key = layout.artifactKey(ingestDate: ingestDate, runId: runId, artifactId: artifact.artifactId, contentType: artifact.contentType)
        let provenance = Provenance(
            artifactId: artifact.artifactId, key: key, sha256: Checksum.sha256Hex(artifact.bytes), size: artifact.bytes.count,
            url: Redactor.shared.redactURL(artifact.url), contentType: artifact.contentType,
            extractionMethod: artifact.extractionMethod, runId: runId, extractedAt: extractedAt)
        do {
            try await store.put(key: key, bytes: artifact.bytes, contentType: artifact.contentType, metadata: provenance.metadata)
        } catch {
            let ingest = error as? IngestError
            throw IngestError("bronze could not store artifact \(artifact.artifactId) (\(artifact.bytes.count) bytes) at \(key) in \(store.location): "
                                  + (ingest?.message ?? error.redactedDescription),
                              fix: ingest?.fix ?? "check \(store.location) and run again")
        }
        return provenance
    }

    package func writeManifest(_ manifest: RunManifest) async throws -> String {
        let key = layout.manifestKey(ingestDate: manifest.ingestDate, runId: manifest.runId)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try await store.put(key: key, bytes: try encoder.encode(manifest), contentType: "application/json", metadata: ["run-id": manifest.runId])
        return key
    }

    /// The manifest of an earlier run of this dataset.
    public func manifest(runId: String) async throws -> RunManifest {
        let keys = try await store.list(prefix: layout.datasetPrefix)
        let suffix = "/run_id=\(runId)/\(BronzeLayout.manifestName)"
        guard let key = keys.first(where: { $0.hasSuffix(suffix) }) else {
            throw IngestError("no bronze manifest for run \(runId) of \(layout.source).\(layout.dataset) in \(store.location)",
                              fix: "check the run id with `ingestctl state \(layout.source).\(layout.dataset)`; only runs whose extract step finished have a manifest")
        }
        return try await readManifest(key)
    }

    func readManifest(_ key: String) async throws -> RunManifest {
        do {
            return try JSONDecoder().decode(RunManifest.self, from: try await store.get(key: key))
        } catch let error as DecodingError {
            throw IngestError("bronze manifest \(key) is unreadable: \(error)", fix: "restore it from the artifacts' metadata or extract the run again")
        }
    }

    /// The manifest of a run whose ingest date is known (one read), or found by its run id.
    public func manifest(runId: String, ingestDate: String?) async throws -> RunManifest {
        guard let ingestDate else { return try await manifest(runId: runId) }
        let key = layout.manifestKey(ingestDate: ingestDate, runId: runId)
        guard try await store.head(key: key) != nil else {
            throw IngestError("run \(runId) of \(layout.source).\(layout.dataset) has no bronze manifest at \(key) in \(store.location): its extract step has not finished",
                              fix: "run `ingestctl run \(layout.source).\(layout.dataset) --steps extract --run-id \(runId)` first")
        }
        return try await readManifest(key)
    }

    /// Removes a run's manifest before the run is extracted again.
    func removeManifest(runId: String, ingestDate: String) async throws {
        try await store.delete(key: layout.manifestKey(ingestDate: ingestDate, runId: runId))
    }

    /// Removes objects of the manifest's run prefix that the manifest does not list (left by an earlier attempt).
    func removeStrays(of manifest: RunManifest) async throws {
        let kept = Set(manifest.artifacts.map(\.key) + [layout.manifestKey(ingestDate: manifest.ingestDate, runId: manifest.runId)])
        for key in try await store.list(prefix: layout.runPrefix(ingestDate: manifest.ingestDate, runId: manifest.runId)) where !kept.contains(key) {
            try await store.delete(key: key)
        }
    }

    /// An artifact's bytes, refused when they do not match the hash recorded at extraction.
    public func read(_ provenance: Provenance) async throws -> Data {
        let bytes = try await store.get(key: provenance.key)
        let sha = Checksum.sha256Hex(bytes)
        guard sha == provenance.sha256 else {
            throw IngestError("bronze artifact \(provenance.artifactId) (\(provenance.key)) does not match its recorded sha256",
                              fix: "the object was changed after extraction; extract the run again")
        }
        return bytes
    }
}
