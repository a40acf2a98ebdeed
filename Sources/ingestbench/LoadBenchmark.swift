import AcmePortal
import ArgumentParser
import Foundation
import IngestKit

/// `ingestbench load`: the load path against each warehouse's own bulk import of the same rows.
///
/// Writes N acme orders (the demo API's shape, with three line items and a long
/// description: about 475 bytes of JSON an order) into bronze as two runs — the
/// orders, and the same orders with every 10th one changed — then measures,
/// each in a child process under `/usr/bin/time -v` (for its peak RSS), on
/// PostgreSQL and on SQLite: the first load into an empty table, an identical
/// rerun, the 10% rerun (`ingestctl run … --steps load --from-run`, the load
/// step's time from its report), and the baseline: `psql \copy` of silver's
/// final rows into an identical empty table, and `sqlite3`'s `.import` of them
/// into a staging table plus `INSERT … SELECT` into an identical empty table.
/// Then the first load again at `--big-rows` for memory.
struct LoadBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load", abstract: "Benchmark the load path on PostgreSQL and SQLite.")

    @Option(help: "Orders in the main measurement.") var rows = 1_000_000
    @Option(name: .customLong("big-rows"), help: "Orders of the memory repeat of the first load (0 to skip).") var bigRows = 5_000_000
    @Option(name: .customLong("page-size"), help: "Orders per bronze artifact.") var pageSize = 1_000
    @Option(name: .customLong("postgres-url"), help: "Server to use (default: $POSTGRES_URL); each measurement gets a fresh database.")
    var postgresURL: String?
    @Option(help: "Folder for bronze and reports (default: a temporary folder, removed afterwards).") var work: String?
    @Option(help: "psql binary (default: $PGBIN/psql or psql).") var psql: String?
    @Option(help: "sqlite3 binary (Debian's sqlite3 package).") var sqlite3 = "sqlite3"
    @Option(help: "ingestctl binary to measure (default: the one built beside ingestbench).") var ingestctl: String?
    @Option(help: "Warehouses to measure, comma-separated: postgres, sqlite.") var warehouses = "postgres,sqlite"

    struct Measurement {
        var warehouse: String
        var name: String
        var rows: Int
        var seconds: Double
        var peakKB: Int
        var counts: String
        var baseline = false
        var rowsPerSecond: Double { Double(rows) / max(seconds, 1e-9) }
    }

    func run() async throws {
        let kinds = Set(warehouses.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        let base = postgresURL ?? ProcessInfo.processInfo.environment["POSTGRES_URL"]
        if kinds.contains("postgres"), base == nil {
            throw ValidationError("set --postgres-url or POSTGRES_URL (scripts/bench-load.sh starts a server), or --warehouses sqlite")
        }
        let folder = work ?? NSTemporaryDirectory() + "ingestbench-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if work == nil { try? FileManager.default.removeItem(atPath: folder) } }
        let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let ingestctl = self.ingestctl ?? binaries.appendingPathComponent("ingestctl").path
        let psql = self.psql ?? ProcessInfo.processInfo.environment["PGBIN"].map { $0 + "/psql" } ?? "psql"

        print("ingestbench load: \(rows) acme orders, pages of \(pageSize), \(ingestctl)")
        let home = folder + "/main"
        let first = try await Self.generate(rows: rows, revision: 0, runId: "bench-r0", home: home, pageSize: pageSize)
        _ = try await Self.generate(rows: rows, revision: 1, runId: "bench-r1", home: home, pageSize: pageSize)
        print(String(format: "bronze: %d artifacts, %.0f MB of JSON per run (%.0f bytes an order)", first.artifacts,
                     Double(first.bytes) / 1e6, Double(first.bytes) / Double(max(1, rows))))

        var results: [Measurement] = []
        if kinds.contains("postgres"), let base {
            print("PostgreSQL at \(try WarehouseConfiguration.parsePostgres(base).display)")
            let database = try await Self.freshDatabase(base)
            let env = ["WAREHOUSE_URL": database, "INGEST_HOME": home]
            results.append(try Self.load("postgres", "first load (empty table)", run: "bench-r0", rows: rows, home: home, env: env, ingestctl: ingestctl))
            results.append(try Self.load("postgres", "identical rerun", run: "bench-r0", rows: rows, home: home, env: env, ingestctl: ingestctl))
            results.append(try Self.load("postgres", "rerun, 10% changed", run: "bench-r1", rows: rows, home: home, env: env, ingestctl: ingestctl))
            results.append(try Self.copyBaseline(rows: rows, database: database, psql: psql, folder: folder))
        }
        if kinds.contains("sqlite") {
            // No WAREHOUSE_URL: the SQLite warehouse in an INGEST_HOME of its own that shares the bronze.
            let moved = try Self.sqliteHome(home: home, folder: folder)
            let sqliteEnv = ["INGEST_HOME": moved]
            results.append(try Self.load("sqlite", "first load (empty table)", run: "bench-r0", rows: rows, home: moved, env: sqliteEnv, ingestctl: ingestctl))
            results.append(try Self.load("sqlite", "identical rerun", run: "bench-r0", rows: rows, home: moved, env: sqliteEnv, ingestctl: ingestctl))
            results.append(try Self.load("sqlite", "rerun, 10% changed", run: "bench-r1", rows: rows, home: moved, env: sqliteEnv, ingestctl: ingestctl))
            results.append(try Self.importBaseline(rows: rows, warehouse: moved + "/warehouse/warehouse.sqlite", sqlite3: sqlite3, folder: folder))
        }
        if bigRows > 0 {
            // The memory repeat: the first load and an identical rerun of `bigRows` orders on each warehouse.
            let bigHome = folder + "/big"
            _ = try await Self.generate(rows: bigRows, revision: 0, runId: "bench-big", home: bigHome, pageSize: pageSize)
            if kinds.contains("postgres"), let base {
                let env = ["WAREHOUSE_URL": try await Self.freshDatabase(base), "INGEST_HOME": bigHome]
                results.append(try Self.load("postgres", "first load, \(bigRows) rows", run: "bench-big", rows: bigRows, home: bigHome, env: env, ingestctl: ingestctl))
                results.append(try Self.load("postgres", "identical rerun, \(bigRows) rows", run: "bench-big", rows: bigRows, home: bigHome, env: env, ingestctl: ingestctl))
            }
            if kinds.contains("sqlite") {
                let moved = try Self.sqliteHome(home: bigHome, folder: folder + "/big-sqlite")
                let env = ["INGEST_HOME": moved]
                results.append(try Self.load("sqlite", "first load, \(bigRows) rows", run: "bench-big", rows: bigRows, home: moved, env: env, ingestctl: ingestctl))
                results.append(try Self.load("sqlite", "identical rerun, \(bigRows) rows", run: "bench-big", rows: bigRows, home: moved, env: env, ingestctl: ingestctl))
            }
            try? FileManager.default.removeItem(atPath: bigHome)
        }
        Self.printTable(results)
    }

    /// A second INGEST_HOME whose lakehouse is the main one's (a symbolic link): the SQLite warehouse
    /// (`<home>/warehouse`) starts empty while bronze is shared.
    static func sqliteHome(home: String, folder: String) throws -> String {
        let moved = folder + "/sqlite-home"
        try FileManager.default.createDirectory(atPath: moved, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: moved + "/lakehouse", withDestinationPath: home + "/lakehouse")
        return moved
    }

    static func printTable(_ results: [Measurement]) {
        Swift.print("")
        func cell(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        Swift.print("warehouse".padding(toLength: 10, withPad: " ", startingAt: 0) + "measurement".padding(toLength: 34, withPad: " ", startingAt: 0)
                    + cell("rows", 10) + cell("seconds", 10) + cell("rows/s", 12) + cell("× base", 9) + cell("peak RSS", 12) + "   counts")
        for m in results {
            let baseline = results.first { $0.warehouse == m.warehouse && $0.baseline }?.rowsPerSecond ?? .nan
            Swift.print(m.warehouse.padding(toLength: 10, withPad: " ", startingAt: 0) + m.name.padding(toLength: 34, withPad: " ", startingAt: 0)
                        + cell(String(m.rows), 10) + cell(String(format: "%.2f", m.seconds), 10) + cell(String(format: "%.0f", m.rowsPerSecond), 12)
                        + cell(String(format: "%.2f", m.rowsPerSecond / baseline), 9)
                        + cell(String(format: "%.1f MB", Double(m.peakKB) / 1024), 12) + "   " + m.counts)
        }
        for warehouse in ["postgres", "sqlite"] {
            let mine = results.filter { $0.warehouse == warehouse && !$0.baseline }
            guard mine.count >= 3 else { continue }
            let first = mine[0].rowsPerSecond
            Swift.print(String(format: "%@: first load %.2f× the baseline; identical rerun %.2f× the first load's rows/s (target ≥ 2); 10%% changed %.2f× (target ≥ 1.5)",
                               warehouse, first / (results.first { $0.warehouse == warehouse && $0.baseline }?.rowsPerSecond ?? .nan),
                               mine[1].rowsPerSecond / first, mine[2].rowsPerSecond / first))
        }
        for warehouse in ["postgres", "sqlite"] {
            let small = results.filter { $0.warehouse == warehouse && !$0.baseline && !$0.name.contains(" rows") }
            let big = results.filter { $0.warehouse == warehouse && $0.name.contains(" rows") }
            for (a, b) in zip(small.prefix(2), big) {
                Swift.print(String(format: "%@ peak RSS, %@ / %@: %.1f MB / %.1f MB = %.2f× (target ≤ 1.3×, ≤ 150 MB)", warehouse, b.name, a.name,
                                   Double(b.peakKB) / 1024, Double(a.peakKB) / 1024, Double(b.peakKB) / Double(max(1, a.peakKB))))
            }
        }
    }

    /// An acme order as the demo API sends it, made longer like real orders: three line items and a
    /// description of about 100 characters (about 475 bytes of JSON in all).
    static func longOrder(_ api: AcmeDemoAPI, _ index: Int) -> String {
        let n = index + 1
        var order = api.order(index)
        let description = "Demo order \(n): deliver to the loading dock at the back; fragile, keep upright; invoice account \(n % 9973)"
        order = order.replacingOccurrences(of: "\"description\": \"Demo order \(n)\"", with: "\"description\": \"\(description)\"")
        let more = ", {\"sku\": \"SKU-\((n + 17) % 50)\", \"quantity\": \(n % 3 + 1)}, {\"sku\": \"SKU-\((n + 31) % 50)\", \"quantity\": \(n % 7 + 1)}]}"
        if order.hasSuffix("]}") { order = String(order.dropLast(2)) + more }
        return order
    }

    /// Writes `rows` orders as one bronze run of acme_portal.orders, as the extractor would.
    static func generate(rows: Int, revision: Int, runId: String, home: String, pageSize: Int) async throws -> (artifacts: Int, bytes: Int) {
        let api = AcmeDemoAPI(orders: rows, revision: revision)
        let bronze = Bronze(store: LocalObjectStore(root: home + "/lakehouse"), source: "acme_portal", dataset: "orders")
        let ingestDate = "2026-01-01"
        var provenances: [Provenance] = []
        var bytes = 0
        for (page, start) in stride(from: 0, to: rows, by: pageSize).enumerated() {
            let end = min(rows, start + pageSize)
            let items = (start..<end).map { longOrder(api, $0) }.joined(separator: ",")
            let next = end < rows ? "\"http://127.0.0.1/v1/orders?page=\(page + 2)\"" : "null"
            let body = Data(#"{"count": \#(rows), "page": \#(page + 1), "next": \#(next), "results": [\#(items)]}"#.utf8)
            bytes += body.count
            provenances.append(try await bronze.write(
                RawArtifact(artifactId: String(format: "page_%06d", page + 1), bytes: body,
                            url: "http://127.0.0.1/v1/orders?page=\(page + 1)", contentType: "application/json", extractionMethod: .apiJSON),
                runId: runId, ingestDate: ingestDate, extractedAt: "2026-01-01 00:00:00"))
        }
        // RunManifest is Codable; build it from its JSON form, as bronze stores it.
        let manifest: [String: Any] = [
            "source": "acme_portal", "dataset": "orders", "run_id": runId, "ingest_date": ingestDate,
            "created_at": "2026-01-01 00:00:00",
            "artifacts": try JSONSerialization.jsonObject(with: JSONEncoder().encode(provenances)),
        ]
        let decoded = try JSONDecoder().decode(RunManifest.self, from: JSONSerialization.data(withJSONObject: manifest))
        _ = try await bronze.writeManifest(decoded)
        return (provenances.count, bytes)
    }

    /// One `ingestctl run … --steps load --from-run RUN` in a child process; the load step's time from its report.
    static func load(_ warehouse: String, _ name: String, run: String, rows: Int, home: String, env: [String: String], ingestctl: String) throws -> Measurement {
        let report = home + "/report-\(UUID().uuidString.prefix(6)).json"
        let (status, peak, output) = try timed(ingestctl, ["run", "acme_portal.orders", "--steps", "load", "--from-run", run, "--report", report],
                                               environment: env, unset: env["WAREHOUSE_URL"] == nil ? ["WAREHOUSE_URL"] : [])
        guard status == 0 else { throw ValidationError("\(name): ingestctl failed (\(status)): \(output)") }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as! [String: Any]
        let steps = json["steps"] as! [[String: Any]]
        let seconds = steps.first { $0["name"] as? String == "load" }?["seconds"] as? Double ?? .nan
        let counts = json["counts"] as! [String: Int]
        let text = "\(counts["inserted"] ?? 0) ins, \(counts["updated"] ?? 0) upd, \(counts["unchanged"] ?? 0) same"
        Swift.print("  \(warehouse) \(name): \(String(format: "%.2f", seconds)) s, \(text)")
        return Measurement(warehouse: warehouse, name: name, rows: rows, seconds: seconds, peakKB: peak, counts: text)
    }

    static let columns = "entity_id, title, status, created_date, amount, description, source_url, customer_id, bronze_object_path, checksum_sha256"

    /// `sqlite3`: silver's final rows exported (CSV, `\N` for NULL), then timed in one `sqlite3` process on a
    /// fresh file holding an identical empty table with its indexes: `.import` into a staging table and
    /// `INSERT … SELECT` into the table.
    static func importBaseline(rows: Int, warehouse: String, sqlite3: String, folder: String) throws -> Measurement {
        let file = folder + "/final-rows.csv"
        let database = folder + "/sqlite3-baseline.sqlite"
        try? FileManager.default.removeItem(atPath: database)
        let ddl = try capture(sqlite3, ["-bail", warehouse, "SELECT sql || ';' FROM sqlite_master WHERE tbl_name = 'acme_portal.orders' AND sql IS NOT NULL"])
            .replacingOccurrences(of: "acme_portal.orders", with: "orders_copy")
        _ = try capture(sqlite3, ["-bail", warehouse, ".mode csv", ".nullvalue \\N", ".output \(file)", "SELECT \(columns) FROM \"acme_portal.orders\""])
        _ = try capture(sqlite3, ["-bail", database, ddl])
        let names = columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let stage = "CREATE TEMP TABLE stage (" + names.map { "\($0) TEXT" }.joined(separator: ", ") + ")"
        let select = names.map { "NULLIF(\($0), '\\N')" }.joined(separator: ", ")
        let clock = ContinuousClock.now
        let (status, peak, importOutput) = try timed(sqlite3, ["-bail", database, stage, ".import --csv \(file) stage",
                                                               "INSERT INTO \"orders_copy\" (\(columns)) SELECT \(select) FROM stage"], environment: [:])
        let seconds = (ContinuousClock.now - clock).seconds
        guard status == 0 else { throw ValidationError("sqlite3 .import failed: \(importOutput)") }
        let copied = try capture(sqlite3, [database, "SELECT count(*) FROM orders_copy"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try? FileManager.default.removeItem(atPath: file)
        try? FileManager.default.removeItem(atPath: database)
        Swift.print("  sqlite3 .import + INSERT … SELECT: \(String(format: "%.2f", seconds)) s, \(copied) rows")
        return Measurement(warehouse: "sqlite", name: "sqlite3 .import + INSERT…SELECT", rows: rows, seconds: seconds, peakKB: peak,
                           counts: "\(copied) rows", baseline: true)
    }

    /// `psql \copy` of silver's final rows into an identical empty table.
    static func copyBaseline(rows: Int, database: String, psql: String, folder: String) throws -> Measurement {
        let file = folder + "/final-rows.copy"
        for command in [
            "\\copy (SELECT \(columns) FROM acme_portal.orders) TO '\(file)'",
            "DROP TABLE IF EXISTS acme_portal.orders_copy",
            "CREATE TABLE acme_portal.orders_copy (LIKE acme_portal.orders INCLUDING ALL)",
        ] {
            let (status, _, output) = try timed(psql, [database, "-v", "ON_ERROR_STOP=1", "-q", "-c", command], environment: [:])
            guard status == 0 else { throw ValidationError("psql failed: \(output)") }
        }
        let clock = ContinuousClock.now
        let (status, peak, output) = try timed(psql, [database, "-v", "ON_ERROR_STOP=1", "-q", "-c",
                                                       "\\copy acme_portal.orders_copy (\(columns)) FROM '\(file)'"], environment: [:])
        let seconds = (ContinuousClock.now - clock).seconds
        guard status == 0 else { throw ValidationError("psql \\copy failed: \(output)") }
        try? FileManager.default.removeItem(atPath: file)
        Swift.print("  psql \\copy: \(String(format: "%.2f", seconds)) s")
        return Measurement(warehouse: "postgres", name: "psql \\copy (baseline)", rows: rows, seconds: seconds, peakKB: peak,
                           counts: "\(rows) rows", baseline: true)
    }

    /// Runs a child under `/usr/bin/time -v`; returns its status, peak RSS in KB and output.
    /// Runs a child and returns its standard output; a failure stops the benchmark.
    static func capture(_ binary: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary.hasPrefix("/") ? binary : try onPath(binary))
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("\(binary) \(arguments.prefix(2).joined(separator: " ")) failed: \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// `unset`: variables of this process the child must not see.
    static func timed(_ binary: String, _ arguments: [String], environment: [String: String], unset: [String] = []) throws -> (Int32, Int, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        process.arguments = ["-v", binary] + arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        for name in unset { env[name] = nil }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let peak = text.split(separator: "\n").first { $0.contains("Maximum resident set size") }
            .flatMap { Int($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) } ?? 0
        return (process.terminationStatus, peak, text)
    }

    static func freshDatabase(_ base: String) async throws -> String {
        try await PostgresWarehouse.createScratchDatabase(baseURL: base, prefix: "bench")
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
