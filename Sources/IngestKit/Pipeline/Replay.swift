import Foundation
import IngestCommon

/// Which stored runs `ingestctl replay` parses again.
public enum ReplaySelection: Sendable, Hashable {
    /// Every complete run.
    case all
    /// These runs (each must be complete), loaded in their original order whatever the order given.
    case runs([String])
    /// Complete runs whose ingest date is in `since...until` (`until` open when `nil`).
    case ingestDates(since: CalendarDate, until: CalendarDate?)
}

extension Platform {
    /// The runs of a dataset stored in bronze, oldest first (`ingestctl bronze ls`); with `since` (and
    /// `until`), only those ingested on those dates, reading only their `ingest_date=` partitions.
    public func bronzeRuns(_ qualifiedName: String, in registry: SourceRegistry,
                           since: CalendarDate? = nil, until: CalendarDate? = nil) async throws -> [BronzeRun] {
        try await bronze(for: try registry.dataset(qualifiedName)).runs(since: since, until: until)
    }

    /// One stored run and its artifacts with their provenance (`ingestctl bronze ls --run`).
    public func bronzeRun(_ qualifiedName: String, runId: String, in registry: SourceRegistry) async throws -> (run: BronzeRun, artifacts: [Provenance]) {
        try await bronze(for: try registry.dataset(qualifiedName)).artifacts(ofRun: runId)
    }

    /// Parses stored runs again, in their original order, without calling the source:
    /// one new run (load, models, gate) with the usual upsert, recorded in the ledger with
    /// the runs it read (`from_runs`). For a parser fix, or to rebuild silver from bronze.
    public func replay(_ qualifiedName: String, in registry: SourceRegistry, selection: ReplaySelection) async throws -> RunReport {
        let dataset = try registry.dataset(qualifiedName)
        // `--since` reads only the partitions of its dates.
        let stored: [BronzeRun]
        if case .ingestDates(let since, let until) = selection {
            stored = try await bronze(for: dataset).runs(since: since, until: until)
        } else {
            stored = try await bronze(for: dataset).runs()
        }
        let chosen: [BronzeRun]
        switch selection {
        case .all:
            chosen = stored.filter(\.complete)
        case .runs(let ids):
            for id in ids {
                guard let run = stored.first(where: { $0.runId == id }) else {
                    throw IngestError("bronze holds no run \(id) of \(qualifiedName)",
                                      fix: "list the stored runs with `ingestctl bronze ls \(qualifiedName)`")
                }
                guard run.complete else {
                    throw IngestError("run \(id) of \(qualifiedName) is incomplete in bronze (no manifest: its extract did not finish)",
                                      fix: "leave it out, or extract it again with `ingestctl run \(qualifiedName) --steps extract --run-id \(id)`")
                }
            }
            chosen = stored.filter { ids.contains($0.runId) }
        case .ingestDates(let since, let until):
            chosen = stored.filter { run in
                guard run.complete, let day = CalendarDate(iso: run.ingestDate) else { return false }
                return day >= since && (until.map { day <= $0 } ?? true)
            }
        }
        guard !chosen.isEmpty else {
            throw IngestError("bronze holds no complete run of \(qualifiedName) to replay in the selection",
                              fix: "list the stored runs with `ingestctl bronze ls \(qualifiedName)`")
        }
        let skipped = stored.count(where: { !$0.complete })
        if case .runs = selection {} else if skipped > 0 {
            say("\(qualifiedName): \(skipped) incomplete run(s) in bronze are not replayed (no manifest)")
        }
        return try await run(qualifiedName, in: registry, options: RunOptions(steps: [.load, .models], replay: chosen.map(\.runId)))
    }
}
