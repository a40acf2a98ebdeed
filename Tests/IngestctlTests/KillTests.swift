import Foundation
import IngestKit
import IngestTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `ingestctl` killed with SIGKILL in the middle of a load: the next run converges, with
/// no lost or duplicated rows and a ledger that agrees with silver. On PostgreSQL a first
/// load copies straight into silver (the kill lands in that COPY) and a rerun stages its
/// changed rows and merges them (the kill lands in the merge); on SQLite a first load
/// inserts straight into silver (the kill lands after its first inserts ran).
///
/// The phase is read from the database (`pg_stat_activity`) or, on SQLite, from the
/// statements the load has logged (`INGEST_SQL_LOG`), never guessed with a sleep.
@Suite struct KillTests {
    /// Enough rows that the merge is easy to catch; the COPY runs while the artifacts parse,
    /// so its test uses more rows, or a busy machine's polling can miss it.
    static let rows = 20_000
    static let copyRows = 80_000

    struct Setup {
        var rows: Int
        var env: [String: String]
        var folder: String
        var url: String
        var bronzeRun: String
        var monitor: any Warehouse
    }

    /// Extracts `rows` demo orders into bronze in `folder`; returns the bronze run.
    func extract(env: [String: String], folder: String) async throws -> String {
        let extract = try await Ingestctl.run(["run", "acme_portal.orders", "--steps", "extract", "--report", "extract.json"],
                                        environment: env, in: folder)
        #expect(extract.status == 0, "\(extract.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/extract.json"))) as! [String: Any]
        return try #require(report["run_id"] as? String)
    }

    func setup(rows: Int = Self.rows) async throws -> Setup {
        let folder = try Ingestctl.workingDirectory()
        let url = try await TestPlatform.freshDatabase()
        let env = ["WAREHOUSE_URL": url, "ACME_PORTAL_DEMO_ROWS": String(rows),
                   "ACME_PORTAL_DEMO_PORT": String(try await Ingestctl.freePort())]
        let bronzeRun = try await extract(env: env, folder: folder)
        let monitor = try await PostgresWarehouse.connect(try WarehouseConfiguration.parsePostgres(url))
        return Setup(rows: rows, env: env, folder: folder, url: url, bronzeRun: bronzeRun, monitor: monitor)
    }

    /// Starts `ingestctl run … --steps load --from-run` as a child process.
    func startLoad(_ setup: Setup) throws -> Process {
        try startLoad(bronzeRun: setup.bronzeRun, env: setup.env, folder: setup.folder)
    }

    func startLoad(bronzeRun: String, env: [String: String], folder: String) throws -> Process {
        let process = try Ingestctl.process(["run", "acme_portal.orders", "--steps", "load", "--from-run", bronzeRun],
                                            environment: env, in: folder)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits until another session runs a statement starting with `prefix`, then kills the child.
    /// `orRan`: also when that session's transaction is open and the statement was its last one (it ran, the
    /// load goes on): a first load copies in several `COPY` statements, with parsing between them.
    func kill(_ process: Process, whenActive prefix: String, orRan: Bool = false, monitor: any Warehouse) async throws {
        let states = orRan ? "'active', 'idle in transaction'" : "'active'"
        // true: the statement runs; false: the child ended first; nil: neither yet.
        let reached = try await eventualValue(.seconds(300), every: .milliseconds(2)) { () async throws -> Bool? in
            let active = try await monitor.execute("""
                SELECT count(*) AS n FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND state IN (\(states)) AND query LIKE $1::text
                """, [.text(prefix + "%")])
            if active.first?["n"] != "0" { return true }
            return process.isRunning ? nil : false
        }
        if reached == true {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            return
        }
        Issue.record("the load never reached \(prefix)")
    }

    /// After the kill: silver and the ledger are as before the load; a rerun converges.
    /// `seeded`: silver held every row before the load, each with a stale checksum (the rerun updates them all).
    /// The monitor connection is closed whatever happens (PostgresNIO traps on a connection never closed).
    func expectRerunConverges(_ setup: Setup, seeded: Bool = false) async throws {
        do {
            try await checkRerunConverges(setup, seeded: seeded)
        } catch {
            await setup.monitor.close()
            throw error
        }
        await setup.monitor.close()
    }

    func checkRerunConverges(_ setup: Setup, seeded: Bool) async throws {
        let monitor = setup.monitor
        if seeded {
            let stale = try #require(try await monitor.execute(
                "SELECT count(*) AS n, count(*) FILTER (WHERE checksum_sha256 = 'stale') AS stale FROM acme_portal.orders").first)
            #expect(stale["n"] == String(setup.rows) && stale["stale"] == String(setup.rows), "the killed load left silver as it was")
        } else {
            #expect(try await monitor.execute("SELECT count(*) AS n FROM acme_portal.orders").first?["n"] == "0",
                    "the killed load left nothing in silver")
        }
        let state = RunLedger(monitor.dialect)
        let killed = try #require(try await state.recent(source: "acme_portal", dataset: "orders", in: monitor).first { $0.status == .running },
                                  "the killed run's row stays running until the next run")
        #expect(killed.counts.inserted == 0 && killed.counts.updated == 0 && killed.watermark == nil)

        let rerun = try await Ingestctl.run(["run", "acme_portal.orders", "--steps", "load", "--from-run", setup.bronzeRun,
                                                  "--report", "rerun.json"], environment: setup.env, in: setup.folder)
        #expect(rerun.status == 0, "\(rerun.stdout) \(rerun.stderr)")
        let counts = try #require(try await monitor.execute(
            "SELECT count(*) AS n, count(DISTINCT entity_id) AS keys FROM acme_portal.orders").first)
        #expect(counts["n"] == String(setup.rows) && counts["keys"] == String(setup.rows), "no lost or duplicated rows")

        let records = try await state.recent(source: "acme_portal", dataset: "orders", in: monitor)
        let marked = try #require(records.first { $0.runId == killed.runId })
        #expect(marked.status == .failed)
        #expect(marked.error?.contains("interrupted") == true)
        #expect(marked.counts.inserted == 0 && marked.counts.updated == 0)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: setup.folder + "/rerun.json"))) as! [String: Any]
        let last = try #require(records.first { $0.runId == report["run_id"] as? String })
        #expect(last.status == .succeeded)
        #expect(last.counts.inserted == (seeded ? 0 : setup.rows), "the ledger agrees with silver")
        #expect(last.counts.updated == (seeded ? setup.rows : 0), "the ledger agrees with silver")
        if seeded {
            #expect(try await monitor.execute("SELECT count(*) AS n FROM acme_portal.orders WHERE checksum_sha256 = 'stale'").first?["n"] == "0",
                    "every stale row was rewritten")
        }
        #expect(records.filter { $0.status == .running }.isEmpty)
    }

    @Test func killedDuringTheCopyThenARerunConverges() async throws {
        let setup = try await setup(rows: Self.copyRows)
        let process = try startLoad(setup)
        do {
            // Silver is empty: the first load copies straight into it, with no staging table; killed while a COPY
            // runs or between two of them, with rows copied in the open transaction.
            try await kill(process, whenActive: #"COPY "acme_portal"."orders""#, orRan: true, monitor: setup.monitor)
        } catch {
            await setup.monitor.close()
            throw error
        }
        try await expectRerunConverges(setup)
    }

    @Test func killedDuringTheMergeThenARerunConverges() async throws {
        let setup = try await setup()
        // Silver holds every row with a stale checksum: the load is a rerun that stages them all and merges.
        let first = try await Ingestctl.run(["run", "acme_portal.orders", "--steps", "load", "--from-run", setup.bronzeRun],
                                      environment: setup.env, in: setup.folder)
        #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
        try await setup.monitor.execute("UPDATE acme_portal.orders SET checksum_sha256 = 'stale'")
        // Hold silver in SHARE mode: the COPY proceeds, the merge waits where we can see it.
        let blocker = try await PostgresWarehouse.connect(try WarehouseConfiguration.parsePostgres(setup.url))
        try await blocker.execute("BEGIN")
        try await blocker.execute("LOCK TABLE acme_portal.orders IN SHARE MODE")
        let process = try startLoad(setup)
        do {
            try await kill(process, whenActive: "WITH merged AS", monitor: setup.monitor)
        } catch {
            await blocker.close()
            await setup.monitor.close()
            throw error
        }
        try await blocker.execute("ROLLBACK")
        await blocker.close()
        try await expectRerunConverges(setup, seeded: true)
    }

    /// SQLite: the first load inserts straight into silver in one transaction; killed after its first
    /// multi-row insert into silver has run (the load logs a statement before running it, so a second
    /// one in the log means the first is done), the file keeps no row of it and a rerun converges.
    @Test func killedDuringTheDirectInsertOnSQLiteThenARerunConverges() async throws {
        let folder = try Ingestctl.workingDirectory()
        // Fewer rows: with the SQL log on, each 500-row insert is written out with its values, which takes a while.
        let rows = 5_000
        let env = ["ACME_PORTAL_DEMO_ROWS": String(rows), "ACME_PORTAL_DEMO_PORT": String(try await Ingestctl.freePort())]
        let bronzeRun = try await extract(env: env, folder: folder)
        let log = folder + "/sql.log"
        let process = try startLoad(bronzeRun: bronzeRun, env: env.merging(["INGEST_SQL_LOG": log]) { _, new in new }, folder: folder)
        let insert = #"INSERT INTO "acme_portal"."orders""#
        // true: a second insert is logged (the first ran); false: the child ended first; nil: neither yet.
        let reached = await eventualValue(.seconds(300), every: .milliseconds(20)) { () -> Bool? in
            let statements = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if statements.components(separatedBy: ";\n" + insert).count > 2 { return true }
            return process.isRunning ? nil : false
        }
        var killed = false
        if reached == true {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            killed = process.terminationReason == .uncaughtSignal
        }
        #expect(killed, "the load was killed after its first insert into silver")
        let monitor = try await SQLiteWarehouse.open(directory: folder + "/.ingest/warehouse")
        let setup = Setup(rows: rows, env: env, folder: folder, url: "", bronzeRun: bronzeRun, monitor: monitor)
        try await expectRerunConverges(setup)
    }
}
