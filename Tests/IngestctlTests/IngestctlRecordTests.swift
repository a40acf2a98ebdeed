import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// `ingestctl record` as a user runs it: acme_portal.customers (the built-in demo API) run with a token,
/// recorded into the source's fixtures folder, and replayed by `ingestctl run` against `RecordedAPI`.
@Suite struct IngestctlRecordTests {
    static let token = "acme-token-5d1e8f0c7a"

    @Test func recordsIntoTheSourceFixturesAndTheRecordingReplaysToTheSameRows() async throws {
        let folder = try Ingestctl.workingDirectory("record")
        let env = ["ACME_PORTAL_API_TOKEN": Self.token, "ACME_PORTAL_DEMO_ROWS": "300", "ACME_PORTAL_DEMO_PORT": "0"]
        let run = try await Ingestctl.run(["run", "acme_portal.customers", "--report", "report.json"], environment: env, in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONDecoder().decode(RunReport.self, from: try Data(contentsOf: URL(fileURLWithPath: folder + "/report.json")))
        let runId = report.runId

        // Outside a repository holding the source, it says where it would write and how to choose.
        let outside = try await Ingestctl.run(["record", "acme_portal.customers"], environment: env, in: folder)
        #expect(outside.status == 2)
        #expect(outside.stderr.contains("Sources/Sources/AcmePortal does not exist"), "\(outside.stderr)")
        #expect(outside.stderr.contains("--into FOLDER"))

        try FileManager.default.createDirectory(atPath: folder + "/Sources/Sources/AcmePortal", withIntermediateDirectories: true)
        let recorded = try await Ingestctl.run(["record", "acme_portal.customers"], environment: env, in: folder)
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let fixtures = folder + "/Sources/Sources/AcmePortal/Tests/Fixtures"
        #expect(recorded.stdout.contains("recorded run \(runId) of acme_portal.customers in Sources/Sources/AcmePortal/Tests/Fixtures/customers/\(runId)/"))
        #expect(recorded.stdout.contains("  page_00001.json"))
        let recording = try Fixtures(folder: fixtures).recording("customers")
        #expect(recording.runId == runId)
        #expect(recording.expected.parsed == 60)
        #expect(recording.artifacts.count == 1)
        for path in FileManager.default.subpaths(atPath: fixtures) ?? [] {
            let text = String(decoding: FileManager.default.contents(atPath: fixtures + "/" + path) ?? Data(), as: UTF8.self)
            #expect(!text.contains(Self.token), "\(path) holds the token")
        }
        // Recording the same run again replaces it.
        #expect(try await Ingestctl.run(["record", "acme_portal.customers", "--run", runId], environment: env, in: folder).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixtures + "/customers") == [runId])

        // The recording served as the API: another folder's run loads the same customers.
        try await RecordedAPI.serving(recording) { api in
            let replayFolder = try Ingestctl.workingDirectory("replay")
            let replayEnv = ["ACME_PORTAL_BASE_URL": api.baseURL, "ACME_PORTAL_API_TOKEN": "replay-token"]
            let replay = try await Ingestctl.run(["run", "acme_portal.customers"], environment: replayEnv, in: replayFolder)
            #expect(replay.status == 0, "\(replay.stderr)")
            #expect(api.unmatched.isEmpty)
            let original = try await TestPlatform.ofIngestctl(env, in: folder).rows(of: "acme_portal.customers", by: "entity_id")
            let replayed = try await TestPlatform.ofIngestctl(replayEnv, in: replayFolder).rows(of: "acme_portal.customers", by: "entity_id")
            #expect(replayed.count == 60)
            #expect(Set(replayed.keys) == Set(original.keys))
            let origin = try #require(recording.origin)
            for (id, row) in original {
                for column in ["name", "email", "city", "zip"] { #expect(replayed[id]?[column] == row[column], "\(id) \(column)") }
                // The row's source_url is the page it came from: the same page, on the replaying server.
                #expect(replayed[id]?["source_url"] == row["source_url"]?.replacingOccurrences(of: origin, with: api.baseURL))
            }
        }
    }
}
