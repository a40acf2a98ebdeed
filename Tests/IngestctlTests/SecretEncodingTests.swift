import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// Issue 20 item 6: a token with `/`, `+` and `=` that the API echoes back JSON-escaped and
/// percent-encoded (upper- and lower-case hex) is masked in the output, the report, the ledger and
/// the serve pages of a real `ingestctl run`; a warehouse password that is not percent-encoded is refused
/// before connecting, naming only host, port, user and database.
@Suite struct SecretEncodingTests {
    static let token = "Qx7/ZZw+Kp9=Jd/Ry"
    /// Fragments of the token that no masked text may hold, in any encoding.
    static let fragments = ["ZZw", "Kp9"]

    static var echoes: [String] {
        let upper = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let lower = upper.replacingOccurrences(of: "%2F", with: "%2f").replacingOccurrences(of: "%2B", with: "%2b")
            .replacingOccurrences(of: "%3D", with: "%3d")
        return [token.replacingOccurrences(of: "/", with: #"\/"#), upper, lower]
    }

    @Test(arguments: WarehouseKind.allCases)
    func aTokenEchoedEncodedIsMaskedInTheOutputReportLedgerAndServePages(_ kind: WarehouseKind) async throws {
        let echoes = Self.echoes
        #expect(echoes.count == 3 && echoes.allSatisfy { $0 != Self.token })
        // The API refuses the token, quoting it JSON-escaped and percent-encoded in both cases.
        let api = try await LoopbackHTTPServer.start { _ in
            .json(#"{"detail": "token \#(echoes[0]) refused; see /help?t=\#(echoes[1])&u=\#(echoes[2])"}"#, status: 403)
        }
        defer { Task { await api.stop() } }
        let folder = try Ingestctl.workingDirectory("secret-encodings")
        let env = try await Ingestctl.acmeDemoEnvironment(rows: 10, kind: kind,
                                                          ["ACME_PORTAL_BASE_URL": api.baseURL, "ACME_PORTAL_API_TOKEN": Self.token])
        let run = try await Ingestctl.run(try Ingestctl.process(["run", "acme_portal.orders", "--report", "report.json"], environment: env, in: folder))
        #expect(run.status == 1, "\(run.stderr)")
        let report = try String(contentsOfFile: folder + "/report.json", encoding: .utf8)
        let state = try await Ingestctl.run(["state", "acme_portal.orders"], environment: env, in: folder)
        #expect(state.status == 0, "\(state.stderr)")

        let (serve, base) = try await ObserveTests.ServePageTests.serve(env, in: folder)
        defer { serve.terminate(); serve.waitUntilExit() }
        let runId = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])["run_id"] as? String
        let runsPage = try await Monitoring.get(base + "/")
        let runPage = try await Monitoring.get(base + "/runs/\(try #require(runId))")
        #expect(runPage.status == 200)

        let places = ["stdout": run.stdout, "stderr": run.stderr, "report": report, "ledger (ingestctl state)": state.stdout,
                      "runs page": runsPage.body, "run page": runPage.body]
        for (place, text) in places {
            for fragment in Self.fragments { #expect(!text.contains(fragment), "\(place) shows the token: \(text)") }
        }
        // The error is there, masked: the message still says what happened.
        #expect(report.contains("answered 403 (forbidden)") && report.contains("token *** refused"), "\(report)")
        #expect(run.stderr.contains("token *** refused"), "\(run.stderr)")
        #expect(state.stdout.contains("403"), "\(state.stdout)")
    }

    @Test(arguments: [
        "postgres://loader:pa/ss@w0rd@db.internal:6543/analytics",
        "postgres://loader:se:cr#et?x@db.internal:6543/analytics",
    ])
    func aWarehousePasswordThatIsNotPercentEncodedIsRefusedBeforeConnecting(_ url: String) async throws {
        let folder = try Ingestctl.workingDirectory("warehouse-url")
        let run = try await Ingestctl.run(["run", "acme_portal.orders"], environment: ["WAREHOUSE_URL": url], in: folder)
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.contains("WAREHOUSE_URL's password is not percent-encoded (host db.internal, port 6543, user loader, database analytics)"),
                "\(run.stderr)")
        #expect(run.stderr.contains("/ as %2F, @ as %40, : as %3A, # as %23, ? as %3F"), "\(run.stderr)")
        for fragment in ["w0rd", "pa/ss", "cr#et", "se:cr"] { #expect(!run.stderr.contains(fragment), "\(run.stderr)") }
        #expect(!run.stderr.contains("cannot connect"), "refused before connecting: \(run.stderr)")
    }
}
