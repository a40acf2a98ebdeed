import IngestCommon

/// Parses a run's artifacts from bronze and upserts their rows into silver,
/// all in one transaction with the run's counts in the state table: a load
/// that fails halfway leaves silver exactly as it was.
struct SilverLoader: Sendable {
    let warehouse: any Warehouse
    let table: TableSchema
    let bronze: Bronze
    let state: IngestionState

    func load(manifest: RunManifest, parse: @escaping @Sendable (StoredArtifact) throws -> ParsedArtifact,
              report: inout RunReport) async throws {
        let upsert = Upsert(table: table, dialect: warehouse.dialect)
        let countSQL = "SELECT count(*) AS n FROM \(warehouse.dialect.qualified(table.schema, table.table))"
        let dialect = warehouse.dialect
        let bronze = self.bronze
        let snapshot = report
        let state = self.state
        let (counts, watermark) = try await warehouse.transaction { session -> (LoadCounts, String?) in
            var counts = LoadCounts()
            var watermark: String?
            var affected = 0
            let before = dialect == .sqlite ? Int(try await session.execute(countSQL).first?["n"] ?? "0") ?? 0 : 0
            for provenance in manifest.artifacts {
                let artifact = StoredArtifact(bytes: try await bronze.read(provenance), provenance: provenance)
                let parsed: ParsedArtifact
                do {
                    parsed = try parse(artifact)
                } catch let error as ParseError {
                    throw IngestError(error.description, fix: "bronze keeps the artifact at \(provenance.key); fix the parser and rerun with --from-run \(manifest.runId)")
                } catch {
                    throw IngestError("artifact \(provenance.artifactId) could not be parsed: \(error.redactedDescription)",
                                      fix: "bronze keeps the artifact at \(provenance.key); fix the parser and rerun with --from-run \(manifest.runId)")
                }
                counts.parsed += parsed.rows.count
                if let mark = parsed.watermark, mark > (watermark ?? "") { watermark = mark }
                let (rows, dropped) = upsert.lastPerKey(parsed.rows)
                counts.duplicates += dropped
                affected += try await upsert.write(rows, in: session, counts: &counts)
            }
            if dialect == .sqlite {
                let after = Int(try await session.execute(countSQL).first?["n"] ?? "0") ?? 0
                counts.inserted = after - before
                counts.updated = affected - counts.inserted
            }
            counts.unchanged = counts.parsed - counts.duplicates - counts.inserted - counts.updated
            // The run's counts commit with the rows they describe.
            var record = snapshot
            record.counts.parsed = counts.parsed
            record.counts.inserted = counts.inserted
            record.counts.updated = counts.updated
            record.counts.unchanged = counts.unchanged
            record.watermark = watermark
            try await state.update(Pipeline.stateRecord(record, .running), in: session)
            return (counts, watermark)
        }
        report.counts.parsed = counts.parsed
        report.counts.inserted = counts.inserted
        report.counts.updated = counts.updated
        report.counts.unchanged = counts.unchanged
        report.counts.duplicates = counts.duplicates
        report.watermark = watermark
    }
}
