import Foundation
import IngestCommon
import Logging

/// Runs one dataset end to end:
/// preflight → extract to bronze → parse and load from bronze → gate → ledger row.
///
/// Every run gets a row in `staging.ingestion_state` (once preflight has made
/// that table). The load is one transaction: silver and the run's counts
/// commit together or not at all.
package struct Pipeline: Sendable {
    package let platform: Platform
    package let warehouse: any Warehouse
    /// The models the run ends with, and the silver tables they read; `nil` runs no models.
    package let models: (graph: ModelGraph, sourceTables: [String: TableSchema], threads: Int)?

    package init(platform: Platform, warehouse: any Warehouse,
                models: (graph: ModelGraph, sourceTables: [String: TableSchema], threads: Int)? = nil) {
        self.platform = platform
        self.warehouse = warehouse
        self.models = models
    }

    package static func newRunId(at date: Date = Date()) -> String {
        let parts = Calendar.utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let stamp = String(format: "%04d%02d%02dT%02d%02d%02dZ", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!)
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return stamp + "-" + String(repeating: "0", count: 8 - suffix.count) + suffix
    }

    /// Runs the dataset; the report says how it went, with the run's notices and why its extract stopped.
    ///
    /// With `options.runId` the process runs only the selected steps of that run and
    /// hands over through the stores: the run's one ledger row says which steps ran and
    /// their counts, bronze holds its artifacts and manifest. Another process, on any
    /// machine, continues it with the same run id. Without it, this process does the
    /// whole run under a new id (`runId`, or a fresh one).
    package func run(_ dataset: Dataset, options: RunOptions = RunOptions(), runId: String? = nil) async -> RunReport {
        let notes = RunNotes()
        var report = await RunNotes.$current.withValue(notes) { await execute(dataset, options: options, runId: runId) }
        report.notices = notes.notices
        report.stopReason = notes.stopReason
        report.totalNotReached = notes.totalNotReached
        return report
    }

    /// The report of a run about to start (`status` failed until it succeeds).
    private func newReport(_ dataset: Dataset, options: RunOptions, runId: String?, at runTime: Date) -> RunReport {
        var report = RunReport(
            runId: options.runId ?? runId ?? Self.newRunId(), source: dataset.source, dataset: dataset.name,
            startedAt: .run(runTime), warehouse: warehouse.location,
            bronze: (try? platform.bronzeStore().location) ?? "unconfigured")
        report.fromRuns = options.fromRun.map { [$0] } ?? []
        report.ingestDate = CalendarDate(runTime).description
        return report
    }

    /// The report of a run that could not start because the warehouse refused it (`Platform.run` connects
    /// before any step): no step ran, nothing was written; it is kept for the next process to record (`UnstartedRuns`).
    package func failedToStart(_ dataset: Dataset, options: RunOptions, error: WarehouseUnreachable) -> RunReport {
        var report = newReport(dataset, options: options, runId: nil, at: Date())
        report.error = RunReport.failedToStart + error.redactedDescription
        report.finishedAt = .run(Date())
        UnstartedRuns(home: platform.home).keep(report.run)
        return report
    }

    private func execute(_ dataset: Dataset, options: RunOptions, runId: String?) async -> RunReport {
        let runTime = Date()
        var report = newReport(dataset, options: options, runId: runId, at: runTime)
        let runId = report.runId
        let staged = options.runId != nil
        await options.onStart?(report)
        let ledger = RunLedger(warehouse.dialect)
        var ledgerStarted = false
        var lastWatermark: String?
        /// The scheduler's window, widened back over windows that did not succeed (`catchUpWindow`).
        var window = options.window
        var datasetLock: (any DatasetLock)?
        var gateContext = SuccessGate.Context()
        /// The ledger's steps while a step of this process runs: a kill leaves a `running` mark.
        func marked(_ step: RunStep) -> [RunReport.Step] {
            Self.merging(report.steps, .init(name: step, status: .running, seconds: 0))
        }

        func step(_ name: RunStep, _ body: () async throws -> Void) async throws {
            let clock = ContinuousClock.now
            do {
                // A lease lost while held (its holder stopped too long): another run may hold the dataset now.
                try (datasetLock as? any LosableLock)?.ensureHeld(before: name.rawValue)
                try await body()
                await closeConnections()
                let finished = RunReport.Step(name: name, status: .succeeded, seconds: (ContinuousClock.now - clock).seconds)
                report.steps = Self.merging(report.steps, finished)
                platform.progress(.stepFinished(finished, counts: report.counts))
            } catch {
                await closeConnections()
                let finished = RunReport.Step(name: name, status: .failed, seconds: (ContinuousClock.now - clock).seconds)
                report.steps = Self.merging(report.steps, finished)
                platform.progress(.stepFinished(finished, counts: report.counts))
                throw error
            }
        }
        /// A step's connections close when it ends: the next step (an extract talking to its source) holds none.
        func closeConnections() async {
            await (warehouse as? any PooledWarehouse)?.closeIdleConnections()
        }
        func skip(_ name: RunStep) {
            // A run on separate processes lists the steps that ran, in whichever process.
            if staged { return }
            report.steps = Self.merging(report.steps, .init(name: name, status: .skipped, seconds: 0))
        }

        do {
            // Preflight: nothing is extracted or written until config, stores and tables are right.
            var table: TableSchema!
            var bronze: Bronze!
            try await step(.preflight) {
                if staged { try RunOptions.checkRunId(runId) }
                table = try dataset.tableSchema()
                bronze = try platform.bronze(for: dataset)
                try await bronze.store.prepare()
                try await SilverTables(warehouse: warehouse).ensure(table)
                let rejects = RejectsTable(for: table, dialect: warehouse.dialect)
                try await warehouse.ensureCatalog((rejects.schema, rejects.table), rejects.createStatements)
                try await ledger.prepare(in: warehouse)
                try await UnstartedRuns(home: platform.home).record(with: ledger, in: warehouse, current: runId)
                // One run of a dataset at a time; rows left `running` by a killed run are closed.
                // A run waiting for the lock holds no connection (the lease's tries open their own, briefly).
                await closeConnections()
                datasetLock = try await warehouse.lockDataset(dataset.qualifiedName, holder: runId, waitSeconds: DatasetLockWait.seconds(platform.settings),
                                                              say: platform.say)
                try await ledger.failInterrupted(source: dataset.source, dataset: dataset.name, by: runId,
                                                at: .run(Date()), in: warehouse)
                if staged, let recorded = try await ledger.record(runId: runId, in: warehouse) {
                    guard recorded.source == dataset.source, recorded.dataset == dataset.name else {
                        throw IngestError("run id \(runId) is a run of \(recorded.source).\(recorded.dataset), not of \(dataset.qualifiedName)",
                                          fix: "give each dataset's run its own id (the generated Airflow DAGs derive it from the DAG and its run)")
                    }
                    if options.steps.contains(.extract), !options.force { try Self.refuseReextract(recorded, dataset: dataset.qualifiedName) }
                    Self.adopt(recorded, into: &report)
                    var reopened = Self.ledgerRecord(report, .running)
                    reopened.steps = marked(.preflight)
                    try await ledger.resume(reopened, in: warehouse)
                } else {
                    var record = Self.ledgerRecord(report, .running)
                    record.steps = marked(.preflight)
                    try await ledger.start(record, in: warehouse)
                }
                ledgerStarted = true
                lastWatermark = try await ledger.lastWatermark(source: dataset.source, dataset: dataset.name, in: warehouse)
                gateContext.lastSuccessRowsParsed = try await ledger.lastSuccessRowsParsed(source: dataset.source, dataset: dataset.name, in: warehouse)
                if let requested = options.window, options.steps.contains(.extract) {
                    window = try await ledger.catchUpWindow(requested, source: dataset.source, dataset: dataset.name, runId: runId, in: warehouse)
                    if let window, window != requested {
                        let from = ExtractionWindow.iso(window.start), to = ExtractionWindow.iso(requested.start)
                        RunNotes.notice("the window was widened back to \(from), where the last succeeded window ended: "
                                        + "the intervals from \(from) to \(to) were not loaded by a succeeded run, so this run reads them again")
                    }
                }
            }

            var manifest: RunManifest?
            if options.steps.contains(.extract) {
                try await step(.extract) {
                    if staged {
                        // A new extract replaces the run's bronze, so what was loaded from the old one no longer stands.
                        Self.resetAfterExtract(&report)
                    }
                    manifest = try await extract(dataset, bronze: bronze, runId: runId, runTime: runTime, ingestDate: report.ingestDate!,
                                                 lookbackDays: options.lookbackDays ?? dataset.lookbackDays, lastWatermark: lastWatermark,
                                                 window: window, replacing: staged, report: &report)
                }
            } else {
                skip(.extract)
            }

            if options.steps.contains(.load) {
                try await step(.load) {
                    var manifests = manifest.map { [$0] } ?? []
                    if !options.bronzeRuns.isEmpty {
                        // Every run's manifest is read before any is loaded.
                        manifests = []
                        for run in options.bronzeRuns { manifests.append(try await bronze.manifest(runId: run)) }
                        report.counts.artifacts = manifests.reduce(0) { $0 + $1.artifacts.count }
                        report.counts.bytes = manifests.reduce(0) { $0 + $1.totalBytes }
                    } else if staged, manifest == nil {
                        if report.steps.contains(where: { $0.name == RunStep.load.rawValue && $0.status == .succeeded }) {
                            // A retried load of a run whose load committed: the silver and counts recorded stand.
                            platform.say("\(dataset.qualifiedName): the load of run \(runId) already committed (\(report.counts.parsed) rows parsed); nothing to do")
                            return
                        }
                        manifests = [try await bronze.manifest(runId: runId, ingestDate: report.ingestDate)]
                    }
                    guard !manifests.isEmpty else {
                        throw IngestError("the load step has no bronze to read", fix: "run the extract step too, or pass --from-run RUN_ID")
                    }
                    report.counts.load = LoadCounts()
                    report.watermark = nil
                    report.rejectSamples = []
                    report.drift = []
                    // What the ledger says if the load commits: loaded, and still running the rest of this process.
                    var committed = Self.merging(report.steps, .init(name: .load, status: .succeeded, seconds: 0))
                    if options.steps.contains(.models) || options.runsGate {
                        committed = Self.merging(committed, .init(name: (options.steps.contains(.models) ? RunStep.models : .gate),
                                                                  status: .running, seconds: 0))
                    }
                    let loader = SilverLoader(warehouse: warehouse, table: table, bronze: bronze, ledger: ledger, vanishedKeys: dataset.vanishedKeys)
                    let parse = try dataset.makeParser()
                    for manifest in manifests {
                        report.bronzePrefix = bronze.layout.runPrefix(ingestDate: manifest.ingestDate, runId: manifest.runId)
                        if options.replay != nil {
                            report.replays = true
                            report.fromRuns.append(manifest.runId)
                        }
                        do {
                            try await loader.load(manifest: manifest, parse: parse, ledgerSteps: committed, report: &report)
                        } catch {
                            if options.replay != nil { report.fromRuns.removeLast() }
                            throw error
                        }
                    }
                    let unread = report.drift.filter { !$0.vanished }
                    if !unread.isEmpty {
                        RunNotes.notice("schema drift in \(dataset.qualifiedName): \(unread.count) keys the item type never reads: "
                                        + unread.map { "\($0.path) (\($0.count) items, e.g. \(VisibleText.escaped($0.example)))" }.joined(separator: ", "))
                    }
                    let vanished = report.drift.filter(\.vanished)
                    if !vanished.isEmpty {
                        RunNotes.notice("schema drift in \(dataset.qualifiedName): \(vanished.count) keys the item type reads vanished from every item "
                                        + "(absent, not null): " + vanished.map { "\($0.path) (\($0.count) items)" }.joined(separator: ", "))
                    }
                }
            } else {
                skip(.load)
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
                skip(.models)
            }

            if options.runsGate {
                try await step(.gate) {
                    if dataset.gate.maxAgeHours != nil {
                        (gateContext.freshnessColumn, gateContext.newestAgeHours) = try await newestAge(dataset, table: table)
                    }
                    report.totalNotReached = RunNotes.current?.totalNotReached
                    gateContext.declaredTotal = RunNotes.current?.declaredTotal
                    if gateContext.declaredTotal == nil, report.run.windowStart != nil, report.counts.parsed < dataset.gate.minRowsParsed, let bronze {
                        // The extract ran in another process: its manifest says what the source declared.
                        gateContext.declaredTotal = try? await bronze.manifest(runId: runId).declaredTotal
                    }
                    if SuccessGate.isDeclaredEmptyWindow(report, gateContext), dataset.gate.minRowsParsed > 0 {
                        RunNotes.notice("the window \(report.run.windowStart ?? "") – \(report.run.windowEnd ?? "") is empty: the source's total for it is 0, "
                                        + "so min rows parsed (\(dataset.gate.minRowsParsed)) does not apply")
                    }
                    var failures = staged ? Self.stagedFailures(report) : []
                    failures += dataset.gate.failures(of: report, context: gateContext)
                    report.gate = .init(passed: failures.isEmpty, failures: failures)
                    if !failures.isEmpty {
                        throw IngestError("success gate failed: " + failures.joined(separator: "; "))
                    }
                }
            }
            report.status = .succeeded
        } catch {
            report.status = .failed
            // Before its ledger row was written the run left no trace in the warehouse: the report and output say so.
            report.error = (ledgerStarted ? "" : RunReport.failedToStart) + error.redactedDescription
            if !ledgerStarted, error is WarehouseUnreachable {
                report.finishedAt = .run(Date())
                UnstartedRuns(home: platform.home).keep(report.run)
            }
            platform.logger.error("run \(runId) of \(dataset.qualifiedName) failed: \(report.error ?? "")")
        }
        report.finishedAt = .run(Date())
        if ledgerStarted {
            // A run on separate processes stays `running` until its gate (or a failed step) decides it.
            let status: RunStatus = !report.succeeded ? .failed : (options.runsGate ? .succeeded : .running)
            do {
                try await ledger.update(Self.ledgerRecord(report, status), in: warehouse)
            } catch {
                report.status = .failed
                report.error = (report.error.map { $0 + "; " } ?? "") + "could not write the ledger row: \(error.redactedDescription)"
            }
        }
        await datasetLock?.release()
        return report
    }

    /// The freshness column of the dataset and the age in hours of its newest value (`nil`: no rows).
    private func newestAge(_ dataset: Dataset, table: TableSchema) async throws -> (String, Double?) {
        let column = dataset.freshness.column ?? table.ingestedAtColumn
        let newest = try await FreshnessResult.newest(column, of: table, in: warehouse)
        return (column, newest.map { Date().timeIntervalSince($0) / 3600 })
    }

    /// The ledger's row of the run: the report's run with `status` (no finish time while `running`).
    static func ledgerRecord(_ report: RunReport, _ status: RunStatus) -> RunRecord {
        var record = report.run
        record.status = status
        if status == .running { record.finishedAt = nil }
        return record
    }

    /// Takes over what the ledger recorded for a run another process started; this process's status,
    /// finish, error and the bronze it was told to load stay its own.
    static func adopt(_ recorded: RunRecord, into report: inout RunReport) {
        var run = recorded
        run.status = report.status
        run.finishedAt = report.finishedAt
        run.error = report.error
        run.fromRuns = report.fromRuns
        // A step left `running` was interrupted: it did not finish.
        run.steps = recorded.steps.filter { $0.status != .running }
        run.ingestDate = recorded.ingestDate ?? report.ingestDate
        report.run = run
    }

    /// Bronze is never rewritten under committed rows: a run whose load of its own bronze committed is not
    /// extracted again (its silver rows name that bronze in `bronze_object_path`, and `--from-run` rebuilds
    /// silver from it), unless `--force`. Checked before the ledger row is reopened, so the run's row stays
    /// as it was.
    static func refuseReextract(_ recorded: RunRecord, dataset: String) throws {
        guard recorded.fromRuns.isEmpty, recorded.steps.contains(where: { $0.name == .load && $0.status == .succeeded }) else { return }
        throw IngestError(
            "run \(recorded.runId) of \(dataset) is already loaded: its load committed \(recorded.counts.parsed) rows from its bronze into silver; "
                + "extracting it again would replace the bronze those rows were loaded from, and --from-run \(recorded.runId) could no longer rebuild them; "
                + "nothing was extracted or changed",
            fix: "extract new data under a new run (without --run-id, or another id); `ingestctl run \(dataset) --from-run \(recorded.runId)` loads its bronze again; "
                + "--force extracts it again anyway, replacing its bronze")
    }

    /// A new extract of a run: the load, models and gate recorded for its old bronze no longer stand.
    static func resetAfterExtract(_ report: inout RunReport) {
        report.counts = RunReport.Counts()
        report.watermark = nil
        report.drift = []
        report.models = nil
        report.modelsPublished = nil
        report.gate = nil
        report.steps.removeAll { [RunStep.load, .models, .gate].contains($0.name) }
    }

    /// The gate of a run on separate processes: every recorded step succeeded, and bronze was loaded.
    static func stagedFailures(_ report: RunReport) -> [String] {
        var failures: [String] = []
        for step in report.steps where step.name != .gate && step.status == .failed {
            failures.append("the \(step.name) step of run \(report.runId) failed")
        }
        if !report.ran(.load) {
            failures.append("run \(report.runId) has no load recorded: run `--steps extract,load --run-id \(report.runId)` first")
        }
        return failures
    }

    /// `steps` with `step` in place of the entry of the same name, in the order of `RunStep`.
    static func merging(_ steps: [RunReport.Step], _ step: RunReport.Step) -> [RunReport.Step] {
        var merged = steps.filter { $0.name != step.name }
        merged.append(step)
        let order = RunStep.allCases
        return merged.sorted { (order.firstIndex(of: $0.name) ?? order.count) < (order.firstIndex(of: $1.name) ?? order.count) }
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
