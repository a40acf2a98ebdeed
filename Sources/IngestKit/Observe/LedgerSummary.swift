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

    /// Every dataset that has runs in the ledger (or the one dataset `source.dataset`), keyed `source.dataset`.
    ///
    /// Reads `staging.ingestion_totals` (one row per dataset and status, kept as runs change status), so it
    /// takes the same time whatever the ledger's length. Makes the ledger and its totals when missing.
    public static func read(in warehouse: any Warehouse, source: String? = nil, dataset: String? = nil) async throws -> [String: LedgerSummary] {
        let ledger = RunLedger(warehouse.dialect)
        if try await warehouse.existingColumns(schema: RunLedger.schema, table: RunTotals.table).isEmpty {
            try await ledger.prepare(in: warehouse)
        }
        return try await ledger.totals.read(source: source, dataset: dataset, in: warehouse)
    }
}
