import Foundation
import IngestCommon

/// What `ingestctl prune` deletes: ledger rows, rejected items and bronze partitions older than a cutoff.
package enum PrunePart: String, Sendable, CaseIterable, Codable {
    /// Rows of `staging.ingestion_state` of runs that finished before the cutoff. Each dataset keeps its
    /// latest succeeded run, its latest succeeded run with a watermark and its succeeded run with the latest
    /// window (what the next run reads); `staging.ingestion_totals` keeps counting the runs deleted. On
    /// PostgreSQL also the dataset's leases (`staging.dataset_leases`) released before the cutoff.
    case ledger
    /// Rows of `<schema>.<table>__rejects` rejected before the cutoff.
    case rejects
    /// Bronze `ingest_date=` partitions of dates before the cutoff's date: their runs can no longer be replayed.
    case bronze
}

/// What a prune found (a dry run) or deleted (`--apply`), per dataset.
package struct PruneResult: Sendable, Encodable {
    package struct Dataset: Sendable, Encodable {
        package var dataset: String
        package var ledgerRows: Int?
        /// Released rows of `staging.dataset_leases` (PostgreSQL; `nil` on SQLite, which has no lease table).
        package var leaseRows: Int?
        package var rejects: Int?
        /// The bronze partitions (ingest dates) before the cutoff, their runs, objects and bytes.
        package var bronzePartitions: [String]?
        package var bronzeRuns: Int?
        package var bronzeObjects: Int?
        package var bronzeBytes: Int?

        enum CodingKeys: String, CodingKey {
            case dataset
            case ledgerRows = "ledger_rows"
            case leaseRows = "lease_rows"
            case rejects
            case bronzePartitions = "bronze_partitions"
            case bronzeRuns = "bronze_runs"
            case bronzeObjects = "bronze_objects"
            case bronzeBytes = "bronze_bytes"
        }
    }

    package var keepDays: Int
    /// Ledger rows that finished and rejects rejected before this instant go; bronze dates before its date.
    package var cutoff: LocalTimestamp
    package var parts: [PrunePart]
    /// `false`: a dry run, nothing was deleted.
    package var applied: Bool
    package var datasets: [Dataset]

    enum CodingKeys: String, CodingKey {
        case keepDays = "keep_days", cutoff, parts, applied, datasets
    }
}

extension Platform {
    /// Counts (a dry run) or deletes (`apply`) what the `parts` hold of `datasets` (qualified names; empty: every
    /// registered dataset) that is older than `keepDays` days before `now`.
    package func prune(_ names: [String], in registry: SourceRegistry, keepDays: Int, parts: Set<PrunePart>, apply: Bool,
                       now: Date = Date()) async throws -> PruneResult {
        guard keepDays >= 0 else {
            throw IngestError("--keep-days \(keepDays) is negative", fix: "give the number of days to keep, e.g. --keep-days 90")
        }
        let datasets = try names.isEmpty ? registry.datasets : names.map { try registry.dataset($0) }
        let cutoff = LocalTimestamp.run(now.addingTimeInterval(-Double(keepDays) * 86_400))
        var result = PruneResult(keepDays: keepDays, cutoff: cutoff, parts: PrunePart.allCases.filter(parts.contains),
                                 applied: apply, datasets: [])
        for dataset in datasets {
            var counts = PruneResult.Dataset(dataset: dataset.qualifiedName)
            if parts.contains(.ledger) || parts.contains(.rejects) {
                let table = try dataset.tableSchema()
                (counts.ledgerRows, counts.leaseRows, counts.rejects) = try await withWarehouse { warehouse in
                    let ledger = parts.contains(.ledger)
                    let ledgerRows = ledger ? try await RunLedger(warehouse.dialect).prune(
                        source: dataset.source, dataset: dataset.name, finishedBefore: cutoff, apply: apply, in: warehouse) : nil
                    let leaseRows = ledger && warehouse.dialect == .postgres ? try await PostgresDatasetLease.prune(
                        dataset.qualifiedName, releasedBefore: cutoff, apply: apply, in: warehouse) : nil
                    let rejects = parts.contains(.rejects) ? try await RejectsTable(for: table, dialect: warehouse.dialect)
                        .prune(rejectedBefore: cutoff, apply: apply, in: warehouse) : nil
                    return (ledgerRows, leaseRows, rejects)
                }
            }
            if parts.contains(.bronze) {
                let found = try await bronze(for: dataset).prune(before: CalendarDate(cutoff), apply: apply)
                counts.bronzePartitions = found.partitions
                counts.bronzeRuns = found.runs
                counts.bronzeObjects = found.objects
                counts.bronzeBytes = found.bytes
            }
            result.datasets.append(counts)
        }
        return result
    }
}

extension RunLedger {
    /// Counts or deletes the dataset's rows of runs that finished before `cutoff`, but for the runs the next
    /// run reads: the latest succeeded run, the latest succeeded run with a watermark, the latest succeeded window.
    package func prune(source: String, dataset: String, finishedBefore cutoff: LocalTimestamp, apply: Bool,
                       in warehouse: any Warehouse) async throws -> Int {
        if try await warehouse.existingColumns(schema: Self.schema, table: Self.table).isEmpty { return 0 }
        let ofDataset: SQLStatement = "\"source\" = \(text: source) AND \"dataset\" = \(text: dataset)"
        /// The id of the dataset's succeeded run with the greatest `order` among those where `column` is set; "" when none.
        func latestSucceeded(having column: String, by order: String) async throws -> String {
            let rows = try await warehouse.execute("SELECT \"run_id\" FROM \(raw: name) WHERE " + ofDataset
                + " AND \"status\" = 'succeeded' AND \(raw: dialect.quote(column)) IS NOT NULL ORDER BY \(raw: dialect.quote(order)) DESC, \"run_id\" DESC LIMIT 1")
            return (rows.first?["run_id"] ?? nil) ?? ""
        }
        let kept = [try await latestSucceeded(having: "started_at", by: "started_at"),
                    try await latestSucceeded(having: "watermark", by: "started_at"),
                    try await latestSucceeded(having: "window_end", by: "window_end")]
        let keep = SQLStatement.joined(kept.map { "\(text: $0)" }, separator: ", ")
        let condition: SQLStatement = ofDataset + " AND \"status\" <> 'running' AND \"finished_at\" < \(timestamp: cutoff.description)"
            + " AND \"run_id\" NOT IN (" + keep + ")"
        return try await warehouse.countOrDelete(from: name, where: condition, apply: apply)
    }
}

extension PostgresDatasetLease {
    /// Counts or deletes the dataset's lease rows released before `cutoff` (UTC); the held one stays.
    static func prune(_ dataset: String, releasedBefore cutoff: LocalTimestamp, apply: Bool, in warehouse: any Warehouse) async throws -> Int {
        if try await warehouse.existingColumns(schema: schema, table: table).isEmpty { return 0 }
        let condition: SQLStatement = "\"dataset\" = \(text: dataset) AND \"released_at\" IS NOT NULL"
            + " AND \"released_at\" < (\(timestamp: cutoff.description) AT TIME ZONE 'UTC')"
        return try await warehouse.countOrDelete(from: name, where: condition, apply: apply)
    }
}

extension RejectsTable {
    /// Counts or deletes the rejects rejected before `cutoff`.
    package func prune(rejectedBefore cutoff: LocalTimestamp, apply: Bool, in warehouse: any Warehouse) async throws -> Int {
        if try await warehouse.existingColumns(schema: schema, table: table).isEmpty { return 0 }
        let condition: SQLStatement = "\"rejected_at\" < \(timestamp: cutoff.description)"
        return try await warehouse.countOrDelete(from: name, where: condition, apply: apply)
    }
}

extension Bronze {
    /// Counts or deletes the dataset's `ingest_date=` partitions of dates before `day`: their dates, runs,
    /// objects and bytes (from each object's metadata).
    package func prune(before day: CalendarDate, apply: Bool) async throws -> (partitions: [String], runs: Int, objects: Int, bytes: Int) {
        var partitions: [String] = []
        var runs = Set<String>(), objects = 0, bytes = 0
        for partition in try await ingestDates() where partition.date < day.description {
            partitions.append(partition.date)
            for key in try await store.list(prefix: partition.prefix) {
                if let run = key.dropFirst(partition.prefix.count).split(separator: "/").first { runs.insert(partition.date + "/" + run) }
                objects += 1
                bytes += Int(try await store.head(key: key)?["size"] ?? "") ?? 0
                if apply { try await store.delete(key: key) }
            }
        }
        return (partitions, runs.count, objects, bytes)
    }
}

extension Warehouse {
    /// Counts the rows of `table` (a qualified name) that match `condition`; with `apply`, deletes them too.
    func countOrDelete(from table: String, where condition: SQLStatement, apply: Bool) async throws -> Int {
        let count = try await execute("SELECT COUNT(*) AS \"n\" FROM \(raw: table) WHERE " + condition)
        let found = Int((count.first?["n"] ?? nil) ?? "") ?? 0
        if apply, found > 0 { try await execute("DELETE FROM \(raw: table) WHERE " + condition) }
        return found
    }
}
