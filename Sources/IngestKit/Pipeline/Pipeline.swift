import Foundation
import IngestCommon
import Logging

/// Runs one dataset end to end:
/// preflight → extract to bronze → parse and load from bronze → gate → state row.
///
/// Every run gets a row in `staging.ingestion_state` (once preflight has made
/// that table). The load is one transaction: silver and the run's counts
/// commit together or not at all.
public struct Pipeline: Sendable {
    public let platform: Platform
    public let warehouse: any Warehouse
    /// The models the run ends with, and the silver tables they read; `nil` runs no models.
    public let models: (graph: ModelGraph, sourceTables: [String: TableSchema], threads: Int)?

    public init(platform: Platform, warehouse: any Warehouse,
                models: (graph: ModelGraph, sourceTables: [String: TableSchema], threads: Int)? = nil) {
        self.platform = platform
        self.warehouse = warehouse
        self.models = models
    }

    public static func newRunId(at date: Date = Date()) -> String {
        let parts = Calendar.utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let stamp = String(format: "%04d%02d%02dT%02d%02d%02dZ", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!)
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return stamp + "-" + String(repeating: "0", count: 8 - suffix.count) + suffix
    }

    /// Runs the dataset; the report says how it went, with the run's notices and why its extract stopped.
    public func run(_ dataset: AnyDataset, options: RunOptions = RunOptions(), runId: String = Pipeline.newRunId()) async -> RunReport {
        let notes = RunNotes()
        var report = await RunNotes.$current.withValue(notes) { await execute(dataset, options: options, runId: runId) }
        report.notices = notes.notices
        report.stopReason = notes.stopReason
        return report
    }

    private func execute(_ dataset: AnyDataset, options: RunOptions, runId: String) async -> RunReport {
        let runTime = Date()
        let ingestDate = CalendarDate(runTime).description
        var report = RunReport(
            runId: runId, source: dataset.source, dataset: dataset.name,
            startedAt: LocalTimestamp(runTime).description, warehouse: warehouse.location,
            bronze: (try? platform.bronzeStore().location) ?? "unconfigured")
        report.fromRunId = options.fromRun
        await options.onStart?(report)
        let state = IngestionState(warehouse.dialect)
        var stateStarted = false
        var lastWatermark: String?
        var datasetLock: (any DatasetLock)?

        func step(_ name: RunStep, _ body: () async throws -> Void) async throws {
            let clock = ContinuousClock.now
            do {
                try await body()
                report.steps.append(.init(name: name.rawValue, status: "succeeded", seconds: (ContinuousClock.now - clock).seconds))
                platform.progress(.stepFinished(report.steps.last!, counts: report.counts))
            } catch {
                report.steps.append(.init(name: name.rawValue, status: "failed", seconds: (ContinuousClock.now - clock).seconds))
                platform.progress(.stepFinished(report.steps.last!, counts: report.counts))
                throw error
            }
        }

        do {
            // Preflight: nothing is extracted or written until config, stores and tables are right.
            var table: TableSchema!
            var bronze: Bronze!
            try await step(.preflight) {
                table = try dataset.tableSchema()
                bronze = try platform.bronze(for: dataset)
                try await bronze.store.prepare()
                try await SilverTables(warehouse: warehouse).ensure(table)
                try await warehouse.ensureSchema(IngestionState.schema)
                for statement in state.createStatements { try await warehouse.execute(statement) }
                // One run of a dataset at a time; rows left `running` by a killed run are closed.
                datasetLock = try await warehouse.lockDataset(dataset.qualifiedName, waitSeconds: DatasetLockWait.seconds(platform.settings),
                                                              say: platform.say)
                try await state.failInterrupted(source: dataset.source, dataset: dataset.name, by: runId,
                                                at: LocalTimestamp(Date()).description, in: warehouse)
                try await state.start(Self.stateRecord(report, .running), in: warehouse)
                stateStarted = true
                lastWatermark = try await state.lastWatermark(source: dataset.source, dataset: dataset.name, in: warehouse)
            }

            var manifest: RunManifest?
            if options.steps.contains(.extract) {
                try await step(.extract) {
                    manifest = try await extract(dataset, bronze: bronze, runId: runId, runTime: runTime, ingestDate: ingestDate,
                                                 lookbackDays: options.lookbackDays ?? dataset.lookbackDays, lastWatermark: lastWatermark,
                                                 report: &report)
                }
            } else {
                report.steps.append(.init(name: RunStep.extract.rawValue, status: "skipped", seconds: 0))
            }

            if options.steps.contains(.load) {
                try await step(.load) {
                    if let fromRun = options.fromRun {
                        manifest = try await bronze.manifest(runId: fromRun)
                        report.counts.artifacts = manifest!.artifacts.count
                        report.counts.bytes = manifest!.totalBytes
                    }
                    guard let manifest else {
                        throw IngestError("the load step has no bronze to read", fix: "run the extract step too, or pass --from-run RUN_ID")
                    }
                    report.bronzePrefix = bronze.layout.runPrefix(ingestDate: manifest.ingestDate, runId: manifest.runId)
                    let loader = SilverLoader(warehouse: warehouse, table: table, bronze: bronze, state: state)
                    try await loader.load(manifest: manifest, parse: try dataset.makeParser(), report: &report)
                }
            } else {
                report.steps.append(.init(name: RunStep.load.rawValue, status: "skipped", seconds: 0))
            }

            let stagingModel = "stg_\(dataset.source)__\(dataset.name)"
            if options.steps.contains(.models), let models, models.graph.nodes[stagingModel] != nil {
                try await step(.models) {
                    let runner = ModelRunner(warehouse: warehouse, graph: models.graph, sourceTables: models.sourceTables, threads: models.threads)
                    let results = try await runner.execute(.build, select: stagingModel + "+")
                    try? platform.writeResults(results)
                    report.models = results.summary
                    report.modelsPublished = results.published
                    for line in results.text.split(separator: "\n") where !line.hasPrefix("  SUCCESS") { platform.say(String(line)) }
                }
            } else {
                report.steps.append(.init(name: RunStep.models.rawValue, status: "skipped", seconds: 0))
            }

            try await step(.gate) {
                let failures = dataset.gate.failures(of: report)
                report.gate = .init(passed: failures.isEmpty, failures: failures)
                if !failures.isEmpty {
                    throw IngestError("success gate failed: " + failures.joined(separator: "; "))
                }
            }
            report.status = RunRecord.Status.succeeded.rawValue
        } catch {
            report.status = RunRecord.Status.failed.rawValue
            report.error = error.redactedDescription
            platform.logger.error("run \(runId) of \(dataset.qualifiedName) failed: \(report.error ?? "")")
        }
        report.finishedAt = LocalTimestamp(Date()).description
        if stateStarted {
            do {
                try await state.update(Self.stateRecord(report, report.succeeded ? .succeeded : .failed), in: warehouse)
            } catch {
                report.status = RunRecord.Status.failed.rawValue
                report.error = (report.error.map { $0 + "; " } ?? "") + "could not write the state row: \(error.redactedDescription)"
            }
        }
        await datasetLock?.release()
        return report
    }

    static func stateRecord(_ report: RunReport, _ status: RunRecord.Status) -> RunRecord {
        RunRecord(
            runId: report.runId, source: report.source, dataset: report.dataset, status: status,
            startedAt: report.startedAt, finishedAt: status == .running ? nil : report.finishedAt,
            artifacts: report.counts.artifacts, bytes: report.counts.bytes, counts: report.counts.load,
            errorMessage: report.error, watermark: report.watermark)
    }

    /// Extracts into bronze; the manifest is written last, so an interrupted extract leaves no run to parse.
    private func extract(_ dataset: AnyDataset, bronze: Bronze, runId: String, runTime: Date, ingestDate: String,
                         lookbackDays: Int, lastWatermark: String?, report: inout RunReport) async throws -> RunManifest {
        let collected = ProvenanceLog()
        let extractStarted = ContinuousClock.now
        let context = ExtractionContext(
            runId: runId, runTime: runTime, lookbackDays: lookbackDays, lastWatermark: lastWatermark,
            settings: platform.settings, http: HTTPFetcher(logger: platform.logger), logger: platform.logger, say: platform.say)
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
        let manifest = RunManifest(source: dataset.source, dataset: dataset.name, runId: runId, ingestDate: ingestDate,
                                   createdAt: LocalTimestamp(Date()).description, artifacts: artifacts)
        _ = try await bronze.writeManifest(manifest)
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

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
