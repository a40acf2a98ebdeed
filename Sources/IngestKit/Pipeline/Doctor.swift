import Foundation
import IngestCommon
import Logging

/// `ingestctl doctor <source.dataset>`: the guide's checklist for a new or broken dataset, run before
/// any real run and leaving nothing behind.
///
/// Each check gives one line, ✓ or ✗ with the fix, in this order:
/// 1. `config` — the dataset's table config validates (names, primary key, checksum and ingested-at columns).
/// 2. `variables` — every variable the source declares as required (``SourceVariable/Requirement``) is set.
/// 3. `warehouse` — the warehouse answers a query.
/// 4. `lakehouse` — the bronze store is reachable and writable (the run's own preflight probe).
/// 5. `ddl` — the silver table's DDL (or the columns to add to the live table), its rejects table and the
///    ledger apply, inside one transaction that is rolled back; a changed type or key fails with the migration.
/// 6. `extract` — the extractor yields an artifact: the first page only, kept in memory, stored nowhere.
/// 7. `parse` — the parser maps that artifact to rows, none rejected, every primary key non-empty.
/// 8. `models` — the models reading the dataset build and their data tests pass on a scratch warehouse
///    (a temporary SQLite folder, or a scratch database on the PostgreSQL server, dropped afterwards)
///    holding the sample's rows.
/// 9. `ledger` — `staging.ingestion_state` exists (or, before the first run, its DDL applied in check 5).
///
/// A check whose input is missing (no artifact to parse) fails naming the check to fix first.
public enum Doctor {
    /// One line of the checklist.
    public struct Check: Sendable, Codable, Hashable {
        public var name: String
        public var passed: Bool
        /// What was found (✓) or what is wrong (✗); secrets masked.
        public var detail: String
        /// What to do, for a failed check.
        public var fix: String?

        public init(name: String, passed: Bool, detail: String, fix: String? = nil) {
            self.name = name
            self.passed = passed
            self.detail = Redactor.shared.redact(detail)
            self.fix = fix.map { Redactor.shared.redact($0) }
        }

        static func failed(_ name: String, _ error: any Error, fix: String? = nil) -> Check {
            if let error = (error as? WarehouseUnreachable)?.error ?? error as? IngestError {
                return Check(name: name, passed: false, detail: error.message, fix: error.fix ?? fix)
            }
            return Check(name: name, passed: false, detail: error.redactedDescription, fix: fix)
        }

        /// `✓ name: detail` or `✗ name: detail — fix: …`, on one line.
        public var line: String {
            let text = "\(passed ? "✓" : "✗") \(name): \(detail)" + (passed ? "" : fix.map { " — fix: \($0)" } ?? "")
            return text.replacingOccurrences(of: "\n", with: " ")
        }
    }

    /// The checklist of one dataset.
    public struct Report: Sendable, Codable, Hashable {
        public var dataset: String
        public var checks: [Check]
        /// Every check passed.
        public var passed: Bool { checks.allSatisfy(\.passed) }
        /// One line per check.
        public var text: String { checks.map(\.line).joined(separator: "\n") }
    }

    /// The names of the checks, in order.
    public static let checkNames = ["config", "variables", "warehouse", "lakehouse", "ddl", "extract", "parse", "models", "ledger"]
}

extension Platform {
    /// Runs the doctor's checklist on `source.dataset` (see ``Doctor``). Throws only when the name is
    /// not a registered dataset; every other problem is a failed check in the report.
    public func doctor(_ qualifiedName: String, in registry: SourceRegistry) async throws -> Doctor.Report {
        let dataset = try registry.dataset(qualifiedName)
        var checks: [Doctor.Check] = []
        func notChecked(_ name: String, until first: String) -> Doctor.Check {
            Doctor.Check(name: name, passed: false, detail: "not checked: it needs the \(first) check to pass", fix: "fix the \(first) check first")
        }

        // 1. config
        var table: TableSchema?
        do {
            let schema = try dataset.tableSchema()
            table = schema
            checks.append(Doctor.Check(name: "config", passed: true, detail: "\(dataset.qualifiedName) → table \(schema.schema).\(schema.table), "
                                       + "\(schema.columns.count) columns, primary key (\(schema.primaryKey.joined(separator: ", ")))"))
        } catch {
            checks.append(.failed("config", error, fix: "correct the dataset's table config"))
        }

        // 2. variables
        checks.append(doctorVariables(registry.sources.first { $0.name == dataset.source }?.variables ?? []))

        // 3. warehouse: opened for the checks that follow, closed after them on every path
        let warehouseFix = "check WAREHOUSE_URL (unset: the embedded SQLite warehouse in $INGEST_HOME/warehouse) and that the server runs"
        let opened: (any Warehouse)?
        do {
            opened = try await openWarehouse()
        } catch {
            opened = nil
            checks.append(.failed("warehouse", error, fix: warehouseFix))
        }
        return try await withClosing(opened, close: { await $0?.close() }) { warehouse in
            if let warehouse {
                do {
                    _ = try await warehouse.execute("SELECT 1 AS one")
                    checks.append(Doctor.Check(name: "warehouse", passed: true, detail: "\(warehouse.location) answers"))
                } catch {
                    checks.append(.failed("warehouse", error, fix: warehouseFix))
                }
            }

            // 4. lakehouse
            do {
                let store = try bronzeStore()
                try await store.prepare()
                checks.append(Doctor.Check(name: "lakehouse", passed: true, detail: "bronze at \(store.location) is reachable and writable"))
            } catch {
                checks.append(.failed("lakehouse", error, fix: "check LAKEHOUSE_URL (unset: a folder in $INGEST_HOME/lakehouse) and its credentials"))
            }

            // 5. ddl, applied and rolled back
            if let table, let warehouse {
                checks.append(await doctorDDL(table, in: warehouse))
            } else {
                checks.append(notChecked("ddl", until: table == nil ? "config" : "warehouse"))
            }

            // 6. extract: the first artifact, in memory
            var sample: RawArtifact?
            do {
                sample = try await doctorExtract(dataset)
                if let sample {
                    checks.append(Doctor.Check(name: "extract", passed: true,
                                               detail: "artifact \(sample.artifactId), \(sample.bytes.count) bytes (\(sample.contentType)) from \(Redactor.shared.redactURL(sample.url)); stored nowhere"))
                } else {
                    checks.append(Doctor.Check(name: "extract", passed: false, detail: "the extractor finished without yielding an artifact",
                                               fix: "check that the source has data for this run (its window, lookback or query) and that the extractor stores what it fetches"))
                }
            } catch {
                checks.append(.failed("extract", error, fix: "check the source's variables and that its API is reachable from here"))
            }

            // 7. parse
            var parsedRows = 0
            var stored: StoredArtifact?
            if let sample, let table {
                let artifact = StoredArtifact(bytes: sample.bytes, provenance: Provenance(
                    artifactId: sample.artifactId, key: "doctor/\(sample.artifactId)", sha256: Checksum.sha256Hex(sample.bytes), size: sample.bytes.count,
                    url: Redactor.shared.redactURL(sample.url), contentType: sample.contentType, extractionMethod: sample.extractionMethod,
                    runId: "doctor", extractedAt: LocalTimestamp(Date()).description))
                stored = artifact
                let check = doctorParse(dataset, table: table, artifact: artifact)
                parsedRows = check.rows
                checks.append(check.check)
            } else {
                checks.append(notChecked("parse", until: table == nil ? "config" : "extract"))
            }

            // 8. models on a scratch warehouse
            if let sample, parsedRows > 0, stored != nil {
                checks.append(await doctorModels(dataset, sample: sample, registry: registry))
            } else {
                checks.append(notChecked("models", until: sample == nil || table == nil ? (table == nil ? "config" : "extract") : "parse"))
            }

            // 9. ledger
            if let warehouse {
                do {
                    let columns = try await warehouse.existingColumns(schema: RunLedger.schema, table: RunLedger.table)
                    if columns.isEmpty {
                        let ddlPassed = checks.first { $0.name == "ddl" }?.passed == true
                        checks.append(Doctor.Check(name: "ledger", passed: ddlPassed,
                                                   detail: "\(RunLedger.schema).\(RunLedger.table) does not exist yet; the first run creates it"
                                                       + (ddlPassed ? " (its DDL applied in the rolled-back transaction)" : ""),
                                                   fix: "fix the ddl check first"))
                    } else {
                        let runs = try await RunLedger(warehouse.dialect).recent(source: dataset.source, dataset: dataset.name, limit: 1, in: warehouse)
                        checks.append(Doctor.Check(name: "ledger", passed: true, detail: "\(RunLedger.schema).\(RunLedger.table) exists; "
                                                   + (runs.first.map { "last run of \(dataset.qualifiedName): \($0.runId) \($0.status.rawValue)" } ?? "no run of \(dataset.qualifiedName) yet")))
                    }
                } catch {
                    checks.append(.failed("ledger", error, fix: "check that the warehouse user may read \(RunLedger.schema).\(RunLedger.table)"))
                }
            } else {
                checks.append(notChecked("ledger", until: "warehouse"))
            }
            return Doctor.Report(dataset: dataset.qualifiedName, checks: checks)
        }
    }

    /// Every required variable of the source is set.
    func doctorVariables(_ variables: [SourceVariable]) -> Doctor.Check {
        var missing: [(SourceVariable, String?)] = []
        var set: [String] = []
        for variable in variables {
            let isSet = settings[variable.name] != nil
            if isSet { set.append(variable.name) }
            switch variable.requirement {
            case .optional: break
            case .required: if !isSet { missing.append((variable, nil)) }
            case .requiredWhenSet(let other): if !isSet, settings[other] != nil { missing.append((variable, other)) }
            }
        }
        if missing.isEmpty {
            let optional = variables.filter { $0.requirement == .optional && settings[$0.name] == nil }.count
            return Doctor.Check(name: "variables", passed: true,
                                detail: (set.isEmpty ? "no variable set" : "set: " + set.joined(separator: ", "))
                                    + (variables.isEmpty ? "" : "; every required one is set") + (optional > 0 ? " (\(optional) optional unset: defaults apply)" : ""))
        }
        let names = missing.map { variable, because in
            variable.name + (because.map { " (needed because \($0) is set)" } ?? "")
        }
        let purposes = missing.map { variable, _ in "\(variable.name): \(variable.purpose)" }
        return Doctor.Check(name: "variables", passed: false, detail: "not set: " + names.joined(separator: ", "),
                            fix: "set " + missing.map(\.0.name).joined(separator: ", ") + " in the environment or in .env; "
                                + purposes.joined(separator: "; "))
    }

    /// The silver table's plan (``TablePlan``: the table or the columns to add, its indexes and rejects table)
    /// and the ledger, applied in one transaction that is then rolled back; a refused change fails with its migration.
    func doctorDDL(_ table: TableSchema, in warehouse: any Warehouse) async -> Doctor.Check {
        struct RolledBack: Error {}
        let dialect = warehouse.dialect
        do {
            let plan = try await TablePlan.make(table, in: warehouse)
            if let refused = plan.refused.first {
                return Doctor.Check(name: "ddl", passed: false, detail: "table \(plan.table) does not match its config: \(refused.description)"
                                        + (plan.refused.count > 1 ? " (and \(plan.refused.count - 1) more: `ingestctl plan \(plan.dataset)`)" : ""),
                                    fix: "run the migration: \(refused.migration)")
            }
            let ledger = RunLedger(dialect)
            let ledgerExisting = Set(try await warehouse.existingColumns(schema: RunLedger.schema, table: RunLedger.table).map(\.name))
            let statements = plan.additive.flatMap(\.statements) + DDL(dialect).createSchema(RunLedger.schema) + ledger.createStatements
                + (ledgerExisting.isEmpty ? [] : ledger.addColumnStatements(existing: ledgerExisting))
            if dialect.sql.schemaIsNamePrefix {
                // A SQLite schema is a name prefix the warehouse learns; nothing is written.
                try await warehouse.ensureSchema(table.schema)
                try await warehouse.ensureSchema(RunLedger.schema)
            }
            do {
                try await warehouse.transaction { session in
                    for statement in statements { try await session.execute(statement) }
                    throw RolledBack()
                }
            } catch is RolledBack {}
            let columns = plan.additive.filter { $0.kind == .addColumn }.count
            let what = !plan.tableExists ? "table \(plan.table) is new"
                : columns == 0 ? "table \(plan.table) matches its config"
                : "table \(plan.table) exists; the next run adds \(columns) column(s)"
            return Doctor.Check(name: "ddl", passed: true, detail: "\(what); \(statements.count) statements applied in a transaction and rolled back")
        } catch {
            return .failed("ddl", error, fix: "check that the warehouse user may create schemas and tables")
        }
    }

    /// The extractor's first artifact, kept in memory; a second one is refused and ends the extract.
    func doctorExtract(_ dataset: Dataset) async throws -> RawArtifact? {
        let taken = FirstArtifact()
        var context = ExtractionContext(
            runId: "doctor-" + Pipeline.newRunId(), runTime: Date(), lookbackDays: dataset.lookbackDays, lastWatermark: nil,
            settings: settings, http: HTTPFetcher(logger: logger), logger: logger, say: { _ in })
        context.firstArtifactOnly = true
        let sink = ArtifactSink { artifact in
            if await !taken.keep(artifact) { throw FirstArtifact.Enough() }
        }
        do {
            try await dataset.extractor.extract(context, into: sink)
        } catch {
            // The sink's refusal of a second artifact (as it is, or wrapped by the extractor) ends a sample.
            guard await taken.refused else { throw error }
        }
        return await taken.artifact
    }

    /// The parser on the sample: rows, no rejects, every primary key non-empty (the row encoder refuses a blank one).
    func doctorParse(_ dataset: Dataset, table: TableSchema, artifact: StoredArtifact) -> (check: Doctor.Check, rows: Int) {
        let keys = table.primaryKey.joined(separator: ", ")
        do {
            let parsed = try dataset.makeParser()(artifact)
            let items = parsed.rows.count + parsed.rejects.count
            if let first = parsed.rejects.first {
                return (Doctor.Check(name: "parse", passed: false,
                                     detail: "\(parsed.rejects.count) of \(items) items of \(artifact.artifactId) rejected; the first: \(first.reason)",
                                     fix: "make the parser and the item type accept the items (or fix the source); a run keeps rejects in \(table.table)__rejects"),
                        parsed.rows.count)
            }
            guard !parsed.rows.isEmpty else {
                return (Doctor.Check(name: "parse", passed: false, detail: "the parser yields no rows from \(artifact.artifactId) (\(artifact.bytes.count) bytes)",
                                     fix: "check where the parser looks for the records (the records path, e.g. `results`) against the artifact"), 0)
            }
            let drift = parsed.drift.isEmpty ? "" : "; keys the item type never reads: " + parsed.drift.map(\.path).joined(separator: ", ")
            return (Doctor.Check(name: "parse", passed: true,
                                 detail: "\(parsed.rows.count) rows from \(artifact.artifactId), every primary key (\(keys)) non-empty\(drift)"),
                    parsed.rows.count)
        } catch {
            return (.failed("parse", error, fix: "fix the parser or its item type against the artifact"), 0)
        }
    }

    /// Loads the sample into a scratch warehouse and builds the models reading the dataset there, with their tests.
    func doctorModels(_ dataset: Dataset, sample: RawArtifact, registry: SourceRegistry) async -> Doctor.Check {
        let graph: ModelGraph
        do { graph = try registry.modelGraph() } catch { return .failed("models", error, fix: "fix the models' graph") }
        let staging = "stg_\(dataset.source)__\(dataset.name)"
        guard graph.nodes[staging] != nil else {
            return Doctor.Check(name: "models", passed: true, detail: "no model reads \(dataset.qualifiedName) (no \(staging))")
        }
        let folder = NSTemporaryDirectory() + "ingest-doctor-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var scratchDatabase: String?
        do {
            var scratchSettings = settings.with("INGEST_HOME", folder).with("LAKEHOUSE_URL", "file://" + folder + "/lakehouse")
                .with("INGEST_SQL_LOG", nil)
            if case .postgres = warehouse, let url = settings["WAREHOUSE_URL"] {
                let scratch = try await PostgresWarehouse.createScratchDatabase(baseURL: url, prefix: "ingest_doctor")
                scratchDatabase = scratch
                scratchSettings = scratchSettings.with("WAREHOUSE_URL", scratch)
            }
            // The scratch run's own log lines would only repeat what this check reports.
            var quiet = logger
            quiet.logLevel = .critical
            let scratch = try Platform(settings: scratchSettings, say: { _ in }, logger: quiet)
            let check = try await scratch.doctorBuild(dataset, sample: sample, graph: graph, registry: registry, staging: staging)
            if let scratchDatabase, let url = settings["WAREHOUSE_URL"] {
                try await PostgresWarehouse.dropScratchDatabase(scratchDatabase, baseURL: url)
            }
            return check
        } catch {
            if let scratchDatabase, let url = settings["WAREHOUSE_URL"] {
                try? await PostgresWarehouse.dropScratchDatabase(scratchDatabase, baseURL: url)
            }
            return .failed("models", error, fix: scratchFix)
        }
    }

    private var scratchFix: String {
        if case .postgres = warehouse { return "check that the warehouse user may create a database (the doctor builds the models in a scratch one it drops)" }
        return "check that the temporary folder is writable"
    }

    /// On this (scratch) platform: the sample as a stored run, loaded, then `stg_<source>__<dataset>+` built and tested.
    func doctorBuild(_ dataset: Dataset, sample: RawArtifact, graph: ModelGraph, registry: SourceRegistry, staging: String) async throws -> Doctor.Check {
        let bronze = try bronze(for: dataset)
        try await bronze.store.prepare()
        let runId = "doctor-sample"
        let ingestDate = CalendarDate(Date()).description
        let provenance = try await bronze.write(sample, runId: runId, ingestDate: ingestDate, extractedAt: LocalTimestamp(Date()).description)
        _ = try await bronze.writeManifest(RunManifest(source: dataset.source, dataset: dataset.name, runId: runId, ingestDate: ingestDate,
                                                       createdAt: LocalTimestamp(Date()).description, artifacts: [provenance]))
        return try await withWarehouse { warehouse in
            let load = await Pipeline(platform: self, warehouse: warehouse).run(dataset, options: RunOptions(steps: [.load], fromRun: runId))
            guard load.steps.contains(where: { $0.name == .load && $0.status == .succeeded }) else {
                return Doctor.Check(name: "models", passed: false, detail: "the sample did not load into the scratch warehouse: \(load.error ?? load.status.rawValue)",
                                    fix: "fix the load error above")
            }
            let runner = ModelRunner(warehouse: warehouse, graph: graph, sourceTables: registry.sourceTables, threads: 1)
            let results = try await runner.execute(.build, select: staging + "+")
            let summary = results.summary
            let problems = results.results.filter { $0.status == "error" || $0.status == "fail" || $0.status == "skipped" }
            if problems.isEmpty && summary.failed == 0 && summary.testsFailed == 0 {
                return Doctor.Check(name: "models", passed: true,
                                    detail: "\(summary.built) models built and \(summary.testsPassed) tests passed on \(load.counts.parsed) sample rows in a scratch warehouse (dropped)")
            }
            let named = problems.prefix(3).map { "\($0.name) \($0.status)" + ($0.message.map { ": \($0)" } ?? "") }
            return Doctor.Check(name: "models", passed: false,
                                detail: "\(summary.failed) models failed, \(summary.testsFailed) tests failed on the sample: " + named.joined(separator: "; "),
                                fix: "fix the models or the data they test (`ingestctl models build --select \(staging)+` shows each result)")
        }
    }
}

/// The first artifact of a sample extract.
private actor FirstArtifact {
    struct Enough: Error, CustomStringConvertible {
        var description: String { "a sample needs only the first artifact" }
    }
    var artifact: RawArtifact?
    var refused = false
    /// Keeps the first artifact; `false` for any later one.
    func keep(_ candidate: RawArtifact) -> Bool {
        guard artifact == nil else {
            refused = true
            return false
        }
        artifact = candidate
        return true
    }
}
