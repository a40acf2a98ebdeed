import Foundation
import IngestCommon

/// Runs that failed to start because the warehouse could not be reached (its connection limit, a
/// server starting up, a network fault), so they have no ledger row. Each is kept as a file,
/// `$INGEST_HOME/unstarted-runs/<run id>.json`, until the next process that reaches the ledger
/// (a run of any dataset) writes it there as `failed` with the error it had; a run id that has a row
/// by then (its retry got in) keeps that row.
package struct UnstartedRuns: Sendable {
    let folder: String

    package init(home: String) {
        folder = (home as NSString).appendingPathComponent("unstarted-runs")
    }

    struct Entry: Codable {
        var runId: String
        var source: String
        var dataset: String
        var startedAt: String
        var finishedAt: String
        var error: String
        var ingestDate: String?
    }

    /// Keeps `record` (a failed run with no ledger row) for the next process to record.
    package func keep(_ record: RunRecord) {
        let entry = Entry(runId: record.runId, source: record.source, dataset: record.dataset, startedAt: record.startedAt.description,
                          finishedAt: (record.finishedAt ?? record.startedAt).description,
                          error: Redactor.shared.redact(record.error ?? "failed to start"), ingestDate: record.ingestDate)
        guard (try? RunOptions.checkRunId(record.runId)) != nil, let data = try? JSONEncoder().encode(entry) else { return }
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try? data.write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent(record.runId + ".json")), options: .atomic)
    }

    /// Writes every kept run that has no ledger row yet as `failed`, and forgets it; returns the run ids written.
    /// `current`, the run of the calling process (a retry of a run that failed to start), is only forgotten: it records itself.
    @discardableResult
    package func record(with ledger: RunLedger, in warehouse: any Warehouse, current: String) async throws -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var written: [String] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            let path = (folder as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path), let entry = try? JSONDecoder().decode(Entry.self, from: data),
                  let started = LocalTimestamp(iso: entry.startedAt) else {
                try? FileManager.default.removeItem(atPath: path)
                continue
            }
            if entry.runId != current, try await ledger.record(runId: entry.runId, in: warehouse) == nil {
                var record = RunRecord(runId: entry.runId, source: entry.source, dataset: entry.dataset, status: .failed, startedAt: started)
                record.finishedAt = LocalTimestamp(iso: entry.finishedAt) ?? started
                record.error = entry.error
                record.ingestDate = entry.ingestDate
                record.steps = [RunReport.Step(name: .preflight, status: .failed, seconds: 0)]
                try await warehouse.transaction { [record] session in
                    try await ledger.start(record, in: session)
                    try await ledger.update(record, in: session)
                }
                written.append(entry.runId)
            }
            try? FileManager.default.removeItem(atPath: path)
        }
        return written
    }
}
