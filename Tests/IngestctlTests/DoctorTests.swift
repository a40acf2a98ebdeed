import AcmePortal
import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// Issue 10 item 5: `ingestctl doctor <source.dataset>`, run as a user runs it (the built binary), on both
/// warehouses: every check passes against the acme demo API, and a missing variable, an unreachable API
/// and a records path the API does not have each fail their line with the fix, exit status 1.
/// Serialized: on PostgreSQL a test checks that no doctor's scratch database is left behind.
@Suite(.serialized) struct DoctorTests {
    static let checks = Doctor.checkNames

    /// The lines of a doctor's output by check name (`✓`/`✗` and the rest of the line).
    struct Lines {
        var byName: [String: String] = [:]
        init(_ stdout: String) {
            for line in stdout.split(separator: "\n") {
                let text = String(line)
                guard text.hasPrefix("✓ ") || text.hasPrefix("✗ ") else { continue }
                let name = text.dropFirst(2).prefix { $0 != ":" }
                byName[String(name)] = text
            }
        }
        func passed(_ name: String) -> Bool { byName[name]?.hasPrefix("✓ ") == true }
        func failed(_ name: String) -> Bool { byName[name]?.hasPrefix("✗ ") == true }
        subscript(_ name: String) -> String { byName[name] ?? "" }
    }

    static func environment(_ kind: WarehouseKind, _ extra: [String: String] = [:]) async throws -> [String: String] {
        try await Ingestctl.acmeDemoEnvironment(rows: 150, kind: kind, extra)
    }

    /// Every check passes on the built-in demo API, and the doctor leaves nothing behind: no silver table, no ledger,
    /// no bronze object. After a run, the ledger line names the run and the DDL line finds the table as configured.
    @Test(arguments: WarehouseKind.allCases)
    func everyCheckPassesOnTheDemoAPIAndNothingIsStored(_ kind: WarehouseKind) async throws {
        let folder = try Ingestctl.workingDirectory("doctor")
        let env = try await Self.environment(kind)
        let doctor = try await Ingestctl.run(["doctor", "acme_portal.orders"], environment: env, in: folder)
        #expect(doctor.status == 0, "\(doctor.stdout)\(doctor.stderr)")
        let lines = Lines(doctor.stdout)
        for check in Self.checks { #expect(lines.passed(check), "\(check): \(doctor.stdout)") }
        #expect(doctor.stdout.split(separator: "\n").filter { $0.hasPrefix("✓ ") || $0.hasPrefix("✗ ") }.count == Self.checks.count,
                "one line per check")
        #expect(lines["config"].contains("table acme_portal.orders") && lines["config"].contains("primary key (entity_id)"), "\(lines["config"])")
        #expect(lines["ddl"].contains("table acme_portal.orders is new") && lines["ddl"].contains("rolled back"), "\(lines["ddl"])")
        #expect(lines["extract"].contains("artifact page_00001") && lines["extract"].contains("stored nowhere"), "\(lines["extract"])")
        #expect(lines["parse"].contains("100 rows from page_00001, every primary key (entity_id) non-empty"), "\(lines["parse"])")
        #expect(lines["models"].contains("models built and") && lines["models"].contains("tests passed on 100 sample rows"), "\(lines["models"])")
        #expect(lines["ledger"].contains("does not exist yet; the first run creates it"), "\(lines["ledger"])")

        // Nothing stored: no silver table, no ledger, no bronze object.
        let test = try TestPlatform.ofIngestctl(env, in: folder)
        let left = try await test.withWarehouse { warehouse in
            var tables: [String] = []
            for (schema, table) in [("acme_portal", "orders"), ("acme_portal", "orders__rejects"), ("staging", "ingestion_state"), ("marts", "fct_orders")]
                where !(try await warehouse.existingColumns(schema: schema, table: table)).isEmpty {
                tables.append("\(schema).\(table)")
            }
            return tables
        }
        #expect(left.isEmpty, "the DDL was rolled back and the models built elsewhere: \(left)")
        if kind == .postgres {
            let scratch = try await test.withWarehouse {
                try await $0.execute("SELECT datname FROM pg_database WHERE datname LIKE 'ingest\\_doctor\\_%'")
            }
            #expect(scratch.isEmpty, "the scratch database is dropped: \(scratch)")
        }
        let lakehouse = folder + "/.ingest/lakehouse"
        let stored = (FileManager.default.enumerator(atPath: lakehouse)?.allObjects as? [String] ?? [])
            .filter { !((try? FileManager.default.attributesOfItem(atPath: lakehouse + "/" + $0)[.type] as? FileAttributeType) == .typeDirectory) }
        #expect(stored.isEmpty, "no bronze object: \(stored)")

        // After a run: the ledger exists and names it; the table matches its config.
        let run = try await Ingestctl.run(["run", "acme_portal.orders"], environment: env, in: folder)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let again = try await Ingestctl.run(["doctor", "acme_portal.orders"], environment: env, in: folder)
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        let after = Lines(again.stdout)
        #expect(after["ddl"].contains("table acme_portal.orders matches its config"), "\(after["ddl"])")
        #expect(after["ledger"].contains("exists; last run of acme_portal.orders: ") && after["ledger"].contains(" succeeded"), "\(after["ledger"])")
    }

    /// A real API's base URL without its token: the variables line names the token and why it is needed.
    @Test(arguments: WarehouseKind.allCases)
    func aMissingVariableFailsItsLine(_ kind: WarehouseKind) async throws {
        let (_, server) = try await MessyOrdersAPI.start(kind, pages: [[MessyOrdersAPI.order("V-1")]])
        let folder = try Ingestctl.workingDirectory("doctor-variable")
        let env = try await Self.environment(kind, ["ACME_PORTAL_BASE_URL": server.server.baseURL])
        let doctor = try await Ingestctl.run(["doctor", "acme_portal.orders"], environment: env, in: folder)
        await server.stop()
        #expect(doctor.status == 1, "\(doctor.stdout)\(doctor.stderr)")
        let lines = Lines(doctor.stdout)
        #expect(lines["variables"].hasPrefix("✗ variables: not set: ACME_PORTAL_API_TOKEN (needed because ACME_PORTAL_BASE_URL is set) — fix: set ACME_PORTAL_API_TOKEN"),
                "\(lines["variables"])")
        #expect(lines.failed("extract") && lines["extract"].contains("ACME_PORTAL_API_TOKEN is not set"), "\(lines["extract"])")
        for check in ["config", "warehouse", "lakehouse", "ddl", "ledger"] { #expect(lines.passed(check), "\(check): \(doctor.stdout)") }
    }

    /// An API that does not answer: the extract line says so and what to check.
    @Test(arguments: WarehouseKind.allCases)
    func anUnreachableAPIFailsTheExtractLine(_ kind: WarehouseKind) async throws {
        let closed = try ClosedPort()
        let folder = try Ingestctl.workingDirectory("doctor-unreachable")
        let env = try await Self.environment(kind, ["ACME_PORTAL_BASE_URL": "http://127.0.0.1:\(closed.port)", "ACME_PORTAL_API_TOKEN": "tok-unreachable"])
        let doctor = try await Ingestctl.run(["doctor", "acme_portal.orders"], environment: env, in: folder)
        withExtendedLifetime(closed) {}
        #expect(doctor.status == 1, "\(doctor.stdout)\(doctor.stderr)")
        let lines = Lines(doctor.stdout)
        #expect(lines.passed("variables"), "\(lines["variables"])")
        #expect(lines["extract"].hasPrefix("✗ extract: ") && lines["extract"].contains("127.0.0.1:\(closed.port)")
                && lines["extract"].contains("— fix: check that") && lines["extract"].contains("is reachable"), "\(lines["extract"])")
        #expect(lines["extract"].contains("the connection was refused: nothing listens on 127.0.0.1:\(closed.port)"), "\(lines["extract"])")
        #expect(lines["parse"] == "✗ parse: not checked: it needs the extract check to pass — fix: fix the extract check first")
        #expect(lines.failed("models"))
        #expect(!doctor.stdout.contains("tok-unreachable"), "the token is never printed")
    }

    /// An API whose pages keep the records under another key than the dataset's records path (`results`).
    @Test(arguments: WarehouseKind.allCases)
    func aWrongRecordsPathFailsTheExtractLine(_ kind: WarehouseKind) async throws {
        let token = "tok-records-path"
        let server = try await LoopbackHTTPServer.start { request in
            guard request.header("Authorization") == "Bearer \(token)" else { return .json(#"{"detail": "no token"}"#, status: 401) }
            return .json(#"{"count": 1, "next": null, "data": [{"id": "W-1", "status": "open"}]}"#)
        }
        let folder = try Ingestctl.workingDirectory("doctor-records")
        let env = try await Self.environment(kind, ["ACME_PORTAL_BASE_URL": server.baseURL, "ACME_PORTAL_API_TOKEN": token])
        let doctor = try await Ingestctl.run(["doctor", "acme_portal.orders"], environment: env, in: folder)
        await server.stop()
        #expect(doctor.status == 1, "\(doctor.stdout)\(doctor.stderr)")
        let lines = Lines(doctor.stdout)
        #expect(lines["extract"].hasPrefix("✗ extract: page 1 (artifact page_00001)") && lines["extract"].contains("has nothing at the records path \"results\"")
                && lines["extract"].hasSuffix("— fix: check the dataset's recordsPath against a page of the API"), "\(lines["extract"])")
        for check in ["config", "variables", "warehouse", "lakehouse", "ddl", "ledger"] { #expect(lines.passed(check), "\(check): \(doctor.stdout)") }
    }

    /// A name that is no dataset is an error (exit 2) that lists what is registered.
    @Test func anUnknownDatasetIsAnError() async throws {
        let doctor = try await Ingestctl.run(["doctor", "acme_portal.nope"], environment: [:], in: try Ingestctl.workingDirectory("doctor-unknown"))
        #expect(doctor.status == 2)
        #expect(doctor.stderr.contains("source acme_portal has no dataset \"nope\""), "\(doctor.stderr)")
    }
}
