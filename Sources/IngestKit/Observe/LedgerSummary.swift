import Foundation
import IngestCommon

/// A dataset's totals in the ledger (`staging.ingestion_state`): runs by status and the last success.
public struct LedgerSummary: Sendable, Hashable {
    public var runsByStatus: [String: Int] = [:]
    /// Unix seconds the last successful run finished.
    public var lastSuccessAt: Double?

    public init(runsByStatus: [String: Int] = [:], lastSuccessAt: Double? = nil) {
        self.runsByStatus = runsByStatus
        self.lastSuccessAt = lastSuccessAt
    }

    /// Every dataset that has runs in the ledger, keyed `source.dataset`. Makes the ledger table when missing.
    public static func read(in warehouse: any Warehouse) async throws -> [String: LedgerSummary] {
        try await warehouse.ensureSchema(RunLedger.schema)
        let state = RunLedger(warehouse.dialect)
        for statement in state.createStatements { try await warehouse.execute(statement) }
        let table = warehouse.dialect.qualified(RunLedger.schema, RunLedger.table)
        let rows = try await warehouse.execute("""
            SELECT "source", "dataset", "status", COUNT(*) AS "runs", MAX("finished_at") AS "last_finished"
            FROM \(table) GROUP BY "source", "dataset", "status"
            """)
        var summaries: [String: LedgerSummary] = [:]
        for row in rows {
            guard let source = row["source"] ?? nil, let dataset = row["dataset"] ?? nil, let status = row["status"] ?? nil else { continue }
            let key = "\(source).\(dataset)"
            var summary = summaries[key] ?? LedgerSummary()
            summary.runsByStatus[status, default: 0] += Int((row["runs"] ?? nil) ?? "") ?? 0
            if status == RunStatus.succeeded.rawValue, let text = row["last_finished"] ?? nil {
                summary.lastSuccessAt = LocalTimestamp(iso: text)?.date.timeIntervalSince1970
            }
            summaries[key] = summary
        }
        return summaries
    }
}
