import Foundation
import IngestCommon

/// The extract step of a run: the extractor writes through an `ArtifactSink` into bronze, each artifact
/// id at most once a run, and the manifest is written last, so an interrupted extract leaves no run to parse.
extension Pipeline {
    /// Extracts into bronze; the manifest is written last, so an interrupted extract leaves no run to parse.
    func extract(_ dataset: Dataset, bronze: Bronze, runId: String, runTime: Date, ingestDate: String,
                 lookbackDays: Int, lastWatermark: String?, window: ExtractionWindow?, replacing: Bool,
                 report: inout RunReport) async throws -> RunManifest {
        report.windowStart = window.map { ExtractionWindow.iso($0.start) }
        report.windowEnd = window.map { ExtractionWindow.iso($0.end) }
        // Extracting a run again: its old manifest goes first, so no load ever reads a mix of two attempts.
        if replacing { try await bronze.removeManifest(runId: runId, ingestDate: ingestDate) }
        let collected = ProvenanceLog()
        let extractStarted = ContinuousClock.now
        var context = ExtractionContext(
            runId: runId, runTime: runTime, lookbackDays: lookbackDays, lastWatermark: lastWatermark,
            settings: platform.settings, http: HTTPFetcher(logger: platform.logger), logger: platform.logger, say: platform.say)
        context.window = window
        let sink = ArtifactSink { artifact in
            guard await collected.claim(artifact.artifactId) else {
                throw IngestError("artifact id \(artifact.artifactId) was produced twice in run \(runId)",
                                  fix: "give every artifact of a run its own id, e.g. page_0001, page_0002")
            }
            let provenance = try await bronze.write(artifact, runId: runId, ingestDate: ingestDate,
                                                    extractedAt: LocalTimestamp(Date()).description)
            let (stored, bytes) = await collected.append(provenance)
            platform.progress(.extracting(artifacts: stored, bytes: bytes, seconds: (ContinuousClock.now - extractStarted).seconds))
        }
        do {
            try await dataset.extractor.extract(context, into: sink)
        } catch {
            // The pages stored before the failure are in bronze (without a manifest): the report counts them.
            let stored = await collected.items
            report.counts.artifacts = stored.count
            report.counts.bytes = stored.reduce(0) { $0 + $1.size }
            if !stored.isEmpty { report.bronzePrefix = bronze.layout.runPrefix(ingestDate: ingestDate, runId: runId) }
            throw error
        }
        let artifacts = await collected.items
        var manifest = RunManifest(source: dataset.source, dataset: dataset.name, runId: runId, ingestDate: ingestDate,
                                   createdAt: LocalTimestamp(Date()).description, artifacts: artifacts)
        manifest.declaredTotal = RunNotes.current?.declaredTotal
        _ = try await bronze.writeManifest(manifest)
        if replacing { try await bronze.removeStrays(of: manifest) }
        report.counts.artifacts = artifacts.count
        report.counts.bytes = manifest.totalBytes
        report.bronzePrefix = bronze.layout.runPrefix(ingestDate: ingestDate, runId: runId)
        return manifest
    }
}

/// The artifacts of a run as they are stored, in order.
private actor ProvenanceLog {
    var items: [Provenance] = []
    var ids: Set<String> = []
    func claim(_ id: String) -> Bool { ids.insert(id).inserted }
    var bytes = 0
    /// Artifacts and bytes stored so far.
    func append(_ provenance: Provenance) -> (Int, Int) {
        items.append(provenance)
        bytes += provenance.size
        return (items.count, bytes)
    }
}
