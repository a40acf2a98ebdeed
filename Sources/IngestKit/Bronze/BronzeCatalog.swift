import Foundation
import IngestCommon

/// One stored run of a dataset, as bronze holds it.
public struct BronzeRun: Sendable, Codable, Hashable {
    public var runId: String
    public var ingestDate: String
    /// Complete when its manifest exists (the extract finished); only complete runs can be loaded.
    public var complete: Bool
    public var artifacts: Int
    public var bytes: Int
    /// When the manifest was written; `nil` for an incomplete run.
    public var createdAt: String?
    public var prefix: String

    enum CodingKeys: String, CodingKey {
        case runId = "run_id"
        case ingestDate = "ingest_date"
        case complete, artifacts, bytes, prefix
        case createdAt = "created_at"
    }
}

extension Bronze {
    /// The dataset's `ingest_date=` partitions in bronze, oldest first, as (date, prefix); only those from
    /// `since` up to and including `until` when given. Lists one level of the store, not the objects below it.
    package func ingestDates(since: CalendarDate? = nil, until: CalendarDate? = nil) async throws -> [(date: String, prefix: String)] {
        try await store.listFolders(prefix: layout.datasetPrefix).compactMap { folder in
            let name = folder.dropFirst(layout.datasetPrefix.count).dropLast()
            guard name.hasPrefix("ingest_date=") else { return nil }
            let date = String(name.dropFirst("ingest_date=".count))
            if let since, date < since.description { return nil }
            if let until, date > until.description { return nil }
            return (date, folder)
        }
    }

    /// Every run of the dataset in bronze, oldest first (by ingest date, then manifest time, then id); only
    /// those ingested from `since` up to and including `until` when given (reading only those dates' partitions).
    ///
    /// A complete run's counts come from its manifest; an incomplete run's from its objects' metadata.
    public func runs(since: CalendarDate? = nil, until: CalendarDate? = nil) async throws -> [BronzeRun] {
        var objects: [String: (ingestDate: String, runId: String, keys: [String])] = [:]
        var keys: [String] = []
        for partition in try await ingestDates(since: since, until: until) { keys += try await store.list(prefix: partition.prefix) }
        for key in keys {
            let parts = key.dropFirst(layout.datasetPrefix.count).split(separator: "/", maxSplits: 2)
            guard parts.count == 3, parts[0].hasPrefix("ingest_date="), parts[1].hasPrefix("run_id=") else { continue }
            let ingestDate = String(parts[0].dropFirst("ingest_date=".count))
            let runId = String(parts[1].dropFirst("run_id=".count))
            objects["\(ingestDate)/\(runId)", default: (ingestDate, runId, [])].keys.append(key)
        }
        var runs: [BronzeRun] = []
        for (_, run) in objects {
            let prefix = layout.runPrefix(ingestDate: run.ingestDate, runId: run.runId)
            let manifestKey = layout.manifestKey(ingestDate: run.ingestDate, runId: run.runId)
            if run.keys.contains(manifestKey) {
                let manifest = try await manifest(runId: run.runId, ingestDate: run.ingestDate)
                runs.append(BronzeRun(runId: run.runId, ingestDate: run.ingestDate, complete: true, artifacts: manifest.artifacts.count,
                                      bytes: manifest.totalBytes, createdAt: manifest.createdAt, prefix: prefix))
            } else {
                var bytes = 0
                for key in run.keys { bytes += Int(try await store.head(key: key)?["size"] ?? "") ?? 0 }
                runs.append(BronzeRun(runId: run.runId, ingestDate: run.ingestDate, complete: false, artifacts: run.keys.count,
                                      bytes: bytes, createdAt: nil, prefix: prefix))
            }
        }
        return runs.sorted { ($0.ingestDate, $0.createdAt ?? "~", $0.runId) < ($1.ingestDate, $1.createdAt ?? "~", $1.runId) }
    }

    /// The artifacts of one run with their provenance: the manifest's, or for an incomplete
    /// run what each object's metadata records.
    public func artifacts(ofRun runId: String) async throws -> (run: BronzeRun, artifacts: [Provenance]) {
        guard let run = try await runs().first(where: { $0.runId == runId }) else {
            throw IngestError("bronze holds no run \(runId) of \(layout.source).\(layout.dataset) in \(store.location)",
                              fix: "list the stored runs with `ingestctl bronze ls \(layout.source).\(layout.dataset)`")
        }
        if run.complete { return (run, try await manifest(runId: runId, ingestDate: run.ingestDate).artifacts) }
        var artifacts: [Provenance] = []
        for key in try await store.list(prefix: run.prefix) {
            let meta = try await store.head(key: key) ?? [:]
            artifacts.append(Provenance(
                artifactId: meta["artifact-id"] ?? key, key: key, sha256: meta["sha256"] ?? "", size: Int(meta["size"] ?? "") ?? 0,
                url: meta["source-url"] ?? "", contentType: meta["content-type"] ?? "",
                extractionMethod: ExtractionMethod(rawValue: meta["extraction-method"] ?? "") ?? .apiJSON,
                runId: meta["run-id"] ?? runId, extractedAt: meta["extracted-at"] ?? ""))
        }
        return (run, artifacts)
    }
}
