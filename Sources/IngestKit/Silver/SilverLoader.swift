import Foundation
import IngestCommon

/// Parses a run's artifacts from bronze and loads their rows into silver, all
/// in one transaction with the run's counts and watermark in its ledger row:
/// a load that fails or is killed halfway leaves silver, the ledger and the
/// watermark exactly as they were.
///
/// Artifacts are read and parsed on all cores (`ParallelParse`), last to first,
/// so the first row met of a key is the run's last one, which wins. A first
/// load (silver empty at the start of the run) sends the rows straight into
/// silver — `COPY` on PostgreSQL (`PostgresCopyLoad`), prepared multi-row
/// inserts on SQLite (`SQLiteLoad`). A rerun marks each batch's keys in a
/// temporary table of the keys met so far, compares the winners with silver's
/// checksums (`SilverChecksums`), and sends only new and changed rows: staged
/// and merged in one statement on PostgreSQL, upserted on SQLite (`StagedMerge`
/// has the SQL). Memory holds a few artifacts at a time and, on a PostgreSQL
/// first load, a fixed-size `KeyFilter`: no key set or checksum table grows
/// with the run or with silver.
struct SilverLoader: Sendable {
    let warehouse: any Warehouse
    let table: TableSchema
    let bronze: Bronze
    let ledger: RunLedger
    /// What a load that would blank stored values because keys vanished does (`Dataset.vanishedKeys`).
    var vanishedKeys: VanishedKeyPolicy = .fail

    /// What the parse step saw, before the load counts.
    struct Staged: Sendable {
        var parsed = 0
        var sanitized = 0
        var watermark: Watermark?
        var rejects: [RejectedItem] = []
        var drift: [SchemaDrift.Key] = []
        var absences = SchemaDrift.Absences()
        mutating func add(_ rows: Int, watermark mark: Watermark?, sanitized changed: Int = 0, rejects rejected: [RejectedItem] = [],
                          drift found: [SchemaDrift.Key] = [], absences lacked: SchemaDrift.Absences = .init()) {
            parsed += rows
            sanitized += changed
            rejects += rejected
            absences = absences + lacked
            if !found.isEmpty { drift = SchemaDrift.merge(drift, found) }
            if let mark, watermark.map({ mark > $0 }) ?? true { watermark = mark }
        }
        /// What one parsed artifact adds.
        mutating func add(_ artifact: ParsedArtifact) {
            add(artifact.rows.count, watermark: artifact.watermark, sanitized: artifact.sanitized, rejects: artifact.rejects,
                drift: artifact.drift, absences: artifact.absences)
        }
        /// What another part of the load saw.
        mutating func add(_ part: Staged) {
            add(part.parsed, watermark: part.watermark, sanitized: part.sanitized, rejects: part.rejects, drift: part.drift, absences: part.absences)
        }
    }

    /// `ledgerSteps`: the steps the ledger row shows if the load commits.
    func load(manifest: RunManifest, parse: @escaping @Sendable (StoredArtifact) throws -> ParsedArtifact,
              ledgerSteps: [RunReport.Step], report: inout RunReport) async throws {
        let merge = StagedMerge(table: table, dialect: warehouse.dialect)
        let snapshot = report
        let ledger = self.ledger
        let presence = ColumnPresence(table)
        let vanishing = VanishedKeyCheck(table: table, policy: vanishedKeys)
        let read = presence.observing(try await IntegerRangeCheck.make(table, in: warehouse)
            .checking(Self.reader(manifest: manifest, bronze: bronze, parse: parse), manifest: manifest))
        let rejectsTable = RejectsTable(for: table, dialect: warehouse.dialect)
        let (counts, watermark, rejects, drift): (LoadCounts, Watermark?, [RejectedItem], [SchemaDrift.Key])
        do {
            (counts, watermark, rejects, drift) = try await warehouse.transaction { session -> (LoadCounts, Watermark?, [RejectedItem], [SchemaDrift.Key]) in
                let before = try await vanishing.counts(in: session)
                var (staged, merged): (Staged, LoadCounts)
                if session.copiesRows {
                    (staged, merged) = try await PostgresCopyLoad(merge: merge)
                        .load(count: manifest.artifacts.count, read: read, on: session)
                } else {
                    (staged, merged) = try await SQLiteLoad(merge: merge)
                        .load(count: manifest.artifacts.count, read: read, in: session)
                }
                // Keys the item type reads that no item carried: drift too, and a load that would blank stored values
                // because of them does not commit unless the dataset accepts it.
                let vanished = staged.absences.vanished
                if !vanished.isEmpty {
                    staged.drift = SchemaDrift.merge(staged.drift, vanished)
                    let blanked = vanishing.blanked(before: before, after: try await vanishing.counts(in: session), presence: presence)
                    if !blanked.isEmpty {
                        let (refusal, notice) = vanishing.outcome(vanished, blanked: blanked, runId: manifest.runId)
                        if let refusal { throw refusal }
                        RunNotes.notice(notice)
                    }
                }
                var counts = merged
                counts.parsed = staged.parsed
                counts.sanitized = staged.sanitized
                counts.rejected = staged.rejects.count
                // Rejected items are kept with the rows of the same run, in the same transaction.
                // Loading the run's own bronze again (a retried load after a new extract) replaces its rejects;
                // bronze of other runs (a replay loads several, `--from-run` one) names its run in `artifact_id`,
                // so two replayed runs' `page_00001` stay apart.
                var rejects = staged.rejects
                if manifest.runId == snapshot.runId {
                    try await rejectsTable.delete(runId: snapshot.runId, in: session)
                } else {
                    for i in rejects.indices { rejects[i].artifactId = "\(manifest.runId)/\(rejects[i].artifactId)" }
                }
                try await rejectsTable.insert(rejects, runId: snapshot.runId, at: .run(Date()), in: session)
                counts.unchanged = counts.parsed - counts.duplicates - counts.inserted - counts.updated
                // The run's counts and watermark commit with the rows they describe.
                // Added to what the run loaded before (a replay loads several runs, one transaction each).
                var record = snapshot
                record.counts.load = snapshot.counts.load + counts
                record.watermark = Watermark.later(snapshot.watermark, staged.watermark)
                record.drift = SchemaDrift.merge(snapshot.drift, staged.drift)
                record.steps = ledgerSteps
                try await ledger.update(Pipeline.ledgerRecord(record, .running), in: session)
                return (counts, staged.watermark, rejects, staged.drift)
            }
        } catch let refusal as VanishedKeyCheck.Refusal {
            // Nothing was loaded; the keys stay in the run's drift (report, ledger, runs page). The error names rows
            // the run would have blanked: its keys, read again from bronze, whose stored values are not NULL.
            report.drift = SchemaDrift.merge(report.drift, refusal.vanished)
            let examples = (try? await vanishing.examples(of: refusal.blanked.map(\.column), read: read,
                                                          artifacts: manifest.artifacts.count, in: warehouse)) ?? [:]
            throw vanishing.outcome(refusal.vanished, blanked: refusal.blanked, runId: manifest.runId, examples: examples)
                .refusal?.error ?? refusal.error
        }
        // Added to what the run loaded before (a replay loads several runs, one after the other).
        report.counts.load = report.counts.load + counts
        report.watermark = Watermark.later(report.watermark, watermark)
        report.rejectSamples = Array((report.rejectSamples + rejects.map(\.reason)).prefix(3))
        report.drift = SchemaDrift.merge(report.drift, drift)
    }

    /// Reads artifact `index` from bronze and parses it; errors name the artifact and the rerun.
    static func reader(manifest: RunManifest, bronze: Bronze,
                       parse: @escaping @Sendable (StoredArtifact) throws -> ParsedArtifact) -> @Sendable (Int) async throws -> ParsedArtifact {
        { index in
            let provenance = manifest.artifacts[index]
            let artifact = StoredArtifact(bytes: try await bronze.read(provenance), provenance: provenance)
            let fix = "bronze keeps the artifact at \(provenance.key); fix the parser and rerun with --from-run \(manifest.runId)"
            do {
                return try parse(artifact)
            } catch let error as ParseError {
                throw IngestError(error.description, fix: fix)
            } catch let refusal as RowRefusal {
                throw IngestError(refusal.description, fix: refusal.fix + "; bronze keeps the artifact at \(provenance.key), rerun with --from-run \(manifest.runId)")
            } catch {
                throw IngestError("artifact \(provenance.artifactId) could not be parsed: \(error.redactedDescription)", fix: fix)
            }
        }
    }
}
