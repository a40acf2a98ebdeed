import Foundation
import IngestCommon

/// What the command line prints on stdout, as text a program importing IngestKit can print the same way:
/// tab-separated tables with a header line, and pretty JSON.
public enum ConsoleText {
    /// `value` as pretty JSON with sorted keys and unescaped slashes (the `--output json` form).
    public static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Tab-separated lines, the header first.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        ([header] + rows).map { $0.joined(separator: "\t") }.joined(separator: "\n")
    }

    /// `ingestctl state`: recent runs, one a line.
    public static func runs(_ runs: [RunRecord]) -> String {
        guard !runs.isEmpty else { return "no runs recorded yet" }
        return table(["run_id", "dataset", "status", "started_at", "artifacts", "parsed", "inserted", "updated", "unchanged", "watermark", "error", "steps", "window"],
                     runs.map { run in
                         [run.runId, "\(run.source).\(run.dataset)", run.status.rawValue, run.startedAt.description, String(run.counts.artifacts),
                          String(run.counts.parsed), String(run.counts.inserted), String(run.counts.updated),
                          String(run.counts.unchanged), run.watermark ?? "", run.error ?? "",
                          run.steps.map { "\($0.name):\($0.status)" }.joined(separator: ","),
                          run.windowStart.map { "\($0)/\(run.windowEnd ?? "")" } ?? ""]
                     })
    }

    /// `ingestctl freshness`: one line a dataset.
    public static func freshness(_ results: [FreshnessResult]) -> String {
        func hours(_ value: Double?) -> String { value.map { String(format: "%gh", $0) } ?? "-" }
        return table(["dataset", "status", "column", "newest", "warn_after", "error_after", "message"], results.map { result in
            [result.dataset, result.status.rawValue.uppercased(), result.column, result.newest ?? "-",
             hours(result.warnAfterHours), hours(result.errorAfterHours), result.message]
        })
    }

    /// `ingestctl rejects`: one line an item (reason and raw item with control characters made visible).
    public static func rejects(_ rejects: [RejectRecord], dataset: String, runId: String?) -> String {
        guard !rejects.isEmpty else { return "no rejected items" + (runId.map { " in run \($0)" } ?? "") + " for \(dataset)" }
        return table(["run_id", "artifact_id", "item_index", "reason", "raw_item"], rejects.map { reject in
            [reject.runId, reject.artifactId, String(reject.itemIndex), VisibleText.escaped(reject.reason),
             reject.rawItem.map { VisibleText.escaped($0) } ?? "-"]
        })
    }

    /// `ingestctl bronze ls`: a dataset's stored runs.
    public static func bronzeRuns(_ runs: [BronzeRun], dataset: String) -> String {
        guard !runs.isEmpty else { return "no runs of \(dataset) in bronze" }
        return table(["run_id", "ingest_date", "artifacts", "bytes", "complete"], runs.map { run in
            [run.runId, run.ingestDate, String(run.artifacts), String(run.bytes), run.complete ? "yes" : "no"]
        })
    }

    /// `ingestctl prune`: what was (or, in a dry run, would be) deleted, per dataset.
    package static func prune(_ result: PruneResult) -> String {
        let what = result.parts.map(\.rawValue).joined(separator: ", ")
        let header = "prune (\(what)): keep \(result.keepDays) day(s); the cutoff is \(result.cutoff) "
            + "(bronze: dates before \(CalendarDate(result.cutoff)))"
        func cell(_ value: Int?) -> String { value.map(String.init) ?? "-" }
        let rows: [[String]] = result.datasets.map { found in
            [found.dataset, cell(found.ledgerRows), cell(found.leaseRows), cell(found.rejects), cell(found.bronzePartitions?.count),
             cell(found.bronzeRuns), cell(found.bronzeObjects), cell(found.bronzeBytes)]
        }
        let columns = ["dataset", "ledger_rows", "lease_rows", "rejects", "bronze_partitions", "bronze_runs", "bronze_objects", "bronze_bytes"]
        let footer = result.applied ? "deleted" : "dry run: nothing was deleted; run again with --apply to delete"
        return [header, table(columns, rows), footer].joined(separator: "\n")
    }

    /// `ingestctl bronze ls --run`: one stored run's artifacts with their provenance.
    public static func bronzeRun(_ run: BronzeRun, artifacts: [Provenance]) -> String {
        "run \(run.runId) (\(run.complete ? "complete" : "incomplete: no manifest")) in \(run.prefix)\n"
            + table(["artifact_id", "bytes", "sha256", "content_type", "extraction_method", "extracted_at", "url"], artifacts.map { artifact in
                [artifact.artifactId, String(artifact.size), artifact.sha256, artifact.contentType,
                 artifact.extractionMethod.rawValue, artifact.extractedAt, artifact.url]
            })
    }

    /// `ingestctl models ls`: one line a model.
    public static func models(_ entries: [ModelCatalog.Entry]) -> String {
        entries.map { entry in
            "\(entry.name)\t\(entry.layer)\t\(entry.materialization)\t\(entry.tags.joined(separator: ","))\t← \((entry.dependsOnSources + entry.dependsOnModels).joined(separator: ", "))"
        }.joined(separator: "\n")
    }
}
