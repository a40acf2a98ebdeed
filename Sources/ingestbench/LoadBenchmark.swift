import AcmePortal
import ArgumentParser
import Foundation
import IngestKit

/// `ingestbench load`: the PostgreSQL load path against raw `psql \copy`.
///
/// Writes N acme orders (the demo API's shape) into bronze as two runs — the
/// orders, and the same orders with every 10th one changed — then measures,
/// each in a child `ingestctl` process under `/usr/bin/time -v` (for its peak
/// RSS): the first load into an empty table, an identical rerun, the 10%
/// rerun, and `psql \copy` of the same final rows into an identical empty
/// table. Then the first load again at `--big-rows` for memory.
struct LoadBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load", abstract: "Benchmark the PostgreSQL load path.")

    @Option(help: "Orders in the main measurement.") var rows = 1_000_000
    @Option(name: .customLong("big-rows"), help: "Orders of the memory repeat of the first load (0 to skip).") var bigRows = 5_000_000
    @Option(name: .customLong("page-size"), help: "Orders per bronze artifact.") var pageSize = 1_000
    @Option(name: .customLong("postgres-url"), help: "Server to use (default: $POSTGRES_URL); each measurement gets a fresh database.")
    var postgresURL: String?
    @Option(help: "Folder for bronze and reports (default: a temporary folder, removed afterwards).") var work: String?
    @Option(help: "psql binary (default: $PGBIN/psql or psql).") var psql: String?

    struct Measurement {
        var name: String
        var rows: Int
        var seconds: Double
        var peakKB: Int
        var counts: String
        var rowsPerSecond: Double { Double(rows) / max(seconds, 1e-9) }
    }

    func run() async throws {
        guard let base = postgresURL ?? ProcessInfo.processInfo.environment["POSTGRES_URL"] else {
            throw ValidationError("set --postgres-url or POSTGRES_URL (scripts/bench-load.sh starts a server)")
        }
        let folder = work ?? NSTemporaryDirectory() + "ingestbench-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if work == nil { try? FileManager.default.removeItem(atPath: folder) } }
        let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let ingestctl = binaries.appendingPathComponent("ingestctl").path
        let psql = self.psql ?? ProcessInfo.processInfo.environment["PGBIN"].map { $0 + "/psql" } ?? "psql"

        print("ingestbench load: \(rows) acme orders, pages of \(pageSize), PostgreSQL at \(try WarehouseConfiguration.parsePostgres(base).display)")
        let home = folder + "/main"
        let database = try await Self.freshDatabase(base)
        let first = try await Self.generate(rows: rows, revision: 0, runId: "bench-r0", home: home, pageSize: pageSize)
        _ = try await Self.generate(rows: rows, revision: 1, runId: "bench-r1", home: home, pageSize: pageSize)
        print(String(format: "bronze: %d artifacts, %.0f MB of JSON per run", first.artifacts, Double(first.bytes) / 1e6))

        var results: [Measurement] = []
        results.append(try Self.load("first load (empty table)", run: "bench-r0", rows: rows, home: home, database: database, ingestctl: ingestctl))
        results.append(try Self.load("identical rerun", run: "bench-r0", rows: rows, home: home, database: database, ingestctl: ingestctl))
        results.append(try Self.load("rerun, 10% changed", run: "bench-r1", rows: rows, home: home, database: database, ingestctl: ingestctl))
        results.append(try Self.copyBaseline(rows: rows, database: database, psql: psql, folder: folder))
        if bigRows > 0 {
            let bigHome = folder + "/big"
            _ = try await Self.generate(rows: bigRows, revision: 0, runId: "bench-big", home: bigHome, pageSize: pageSize)
            let bigDatabase = try await Self.freshDatabase(base)
            results.append(try Self.load("first load, \(bigRows) rows", run: "bench-big", rows: bigRows, home: bigHome,
                                         database: bigDatabase, ingestctl: ingestctl))
            try? FileManager.default.removeItem(atPath: bigHome)
        }
        Self.printTable(results)
    }

    static func printTable(_ results: [Measurement]) {
        let baseline = results.first { $0.name.hasPrefix("psql") }?.rowsPerSecond ?? .nan
        let firstLoad = results.first?.rowsPerSecond ?? .nan
        Swift.print("")
        func cell(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        Swift.print("measurement".padding(toLength: 28, withPad: " ", startingAt: 0) + cell("rows", 10) + cell("seconds", 10)
                    + cell("rows/s", 12) + cell("× \\copy", 9) + cell("peak RSS", 12) + "   counts")
        for m in results {
            Swift.print(m.name.padding(toLength: 28, withPad: " ", startingAt: 0) + cell(String(m.rows), 10)
                        + cell(String(format: "%.2f", m.seconds), 10) + cell(String(format: "%.0f", m.rowsPerSecond), 12)
                        + cell(String(format: "%.2f", m.rowsPerSecond / baseline), 9)
                        + cell(String(format: "%.1f MB", Double(m.peakKB) / 1024), 12) + "   " + m.counts)
        }
        if results.count > 1 {
            Swift.print(String(format: "identical rerun / first load: %.2f×", results[1].rowsPerSecond / firstLoad))
        }
        if let big = results.first(where: { $0.name.hasPrefix("first load, ") }), let small = results.first {
            Swift.print(String(format: "peak RSS, big / first load: %.2f×", Double(big.peakKB) / Double(max(1, small.peakKB))))
        }
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
            let items = (start..<end).map(api.order).joined(separator: ",")
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
    static func load(_ name: String, run: String, rows: Int, home: String, database: String, ingestctl: String) throws -> Measurement {
        let report = home + "/report-\(UUID().uuidString.prefix(6)).json"
        let (status, peak, output) = try timed(ingestctl, ["run", "acme_portal.orders", "--steps", "load", "--from-run", run, "--report", report],
                                               environment: ["WAREHOUSE_URL": database, "INGEST_HOME": home])
        guard status == 0 else { throw ValidationError("\(name): ingestctl failed (\(status)): \(output)") }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as! [String: Any]
        let steps = json["steps"] as! [[String: Any]]
        let seconds = steps.first { $0["name"] as? String == "load" }?["seconds"] as? Double ?? .nan
        let counts = json["counts"] as! [String: Int]
        let text = "\(counts["inserted"] ?? 0) ins, \(counts["updated"] ?? 0) upd, \(counts["unchanged"] ?? 0) same"
        Swift.print("  \(name): \(String(format: "%.2f", seconds)) s, \(text)")
        return Measurement(name: name, rows: rows, seconds: seconds, peakKB: peak, counts: text)
    }

    /// `psql \copy` of silver's final rows into an identical empty table.
    static func copyBaseline(rows: Int, database: String, psql: String, folder: String) throws -> Measurement {
        let file = folder + "/final-rows.copy"
        let columns = "entity_id, title, status, created_date, amount, description, source_url, customer_id, bronze_object_path, checksum_sha256"
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
        return Measurement(name: "psql \\copy (baseline)", rows: rows, seconds: seconds, peakKB: peak, counts: "\(rows) rows")
    }

    /// Runs a child under `/usr/bin/time -v`; returns its status, peak RSS in KB and output.
    static func timed(_ binary: String, _ arguments: [String], environment: [String: String]) throws -> (Int32, Int, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        process.arguments = ["-v", binary] + arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
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
