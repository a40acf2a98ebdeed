import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// `fixture.items` from a REST API that takes its key as `?api_key=` and, as some APIs do, echoes it in
/// its absolute `next` links and in a `request` field: bronze then holds the key, and `record` must not copy it.
struct EchoingItemsSource: Source {
    static let sourceName = "fixture"
    var datasets: [Dataset] { [echoingItemsDataset] }
    var variables: [SourceVariable] {
        [SourceVariable("FIXTURE_BASE_URL", "the items API"), SourceVariable("FIXTURE_API_KEY", "the items API's key", secret: true)]
    }
}

let echoingItemsDataset = Dataset(
    table: ItemsTable.self,
    extractor: RESTExtractor(baseURLVariable: "FIXTURE_BASE_URL", path: "/v1/items", auth: .apiKeyQuery(name: "api_key", variable: "FIXTURE_API_KEY"),
                             paginator: .nextURL(path: "next"), recordsPath: "results"),
    parse: .parser(ItemsParser()))

/// The live API: 7 items in pages of 3, `?page=N&api_key=KEY`; a wrong key gets 401.
func echoingItemsAPI(key: String) async throws -> LoopbackHTTPServer {
    let pages = itemPages(count: 7, pageSize: 3)
    return try await LoopbackHTTPServer.start { request in
        guard request.query["api_key"] == key else { return .json(#"{"error": "bad key"}"#, status: 401) }
        let page = Int(request.query["page"] ?? "1") ?? 1
        guard request.path == "/v1/items", pages.indices.contains(page - 1) else { return .json(#"{"error": "no such page"}"#, status: 404) }
        let host = request.header("Host") ?? "127.0.0.1"
        let next = page < pages.count ? "\"http://\(host)/v1/items?page=\(page + 1)&api_key=\(key)\"" : "null"
        return .json(#"{"request": {"api_key": "\#(key)"}, "next": \#(next), "#
            + pages[page - 1].dropFirst())
    }
}

@Suite struct RecordReplayTests {
    let registry = SourceRegistry([EchoingItemsSource()])
    static let secret = "live-key-7f3a9c2e1b"

    /// The silver rows without the columns a replay changes by design (its own run's bronze path and load time).
    func silver(_ test: TestPlatform) async throws -> [String: [String: String?]] {
        try await test.rows(of: "fixture.items", by: "id").mapValues { row in
            Dictionary(uniqueKeysWithValues: zip(row.columns, row.values).filter { !["ingested_at", "bronze_object_path"].contains($0.0) })
        }
    }

    /// Every file under `folder`, with its text.
    func files(in folder: String) -> [(path: String, text: String)] {
        (FileManager.default.subpaths(atPath: folder) ?? []).compactMap { path in
            FileManager.default.contents(atPath: folder + "/" + path).map { (path, String(decoding: $0, as: UTF8.self)) }
        }
    }

    @Test(arguments: WarehouseKind.allCases)
    func aRecordedRunHoldsNoSecretAndReplaysToTheSameSilverRows(_ kind: WarehouseKind) async throws {
        let live = try await echoingItemsAPI(key: Self.secret)
        let original = try await TestPlatform.make(kind, ["FIXTURE_BASE_URL": live.baseURL, "FIXTURE_API_KEY": Self.secret])
        let first = try await original.platform.run("fixture.items", in: registry)
        await live.stop()
        #expect(first.status == "succeeded", "\(first.error ?? "")")
        #expect(first.counts.artifacts == 3)
        #expect(first.counts.parsed == 7)
        // The API echoed the key: bronze holds it (the bodies are stored unchanged).
        #expect(original.allFileTexts().contains { $0.path.contains("/lakehouse/") && $0.text.contains(Self.secret) })

        let fixtures = NSTemporaryDirectory() + "recording-\(UUID().uuidString.prefix(8))/Fixtures"
        let folder = fixtures + "/items/\(first.runId)"
        let recording = try await original.platform.record("fixture.items", in: registry, into: folder)
        #expect(recording.runId == first.runId)
        #expect(recording.artifacts.map(\.file) == ["page_00001.json", "page_00002.json", "page_00003.json"])
        #expect(recording.expected == .init(artifacts: 3, parsed: 7, rejected: 0, inserted: 7))
        #expect(recording.redactions >= 5)  // 2 next links, 3 echoed fields
        let written = files(in: folder)
        #expect(Set(written.map(\.path)) == ["recording.json", "page_00001.json", "page_00002.json", "page_00003.json"])
        for file in written {
            #expect(!file.text.contains(Self.secret), "\(file.path) holds the API key")
        }
        #expect(written.first { $0.path == "page_00001.json" }?.text.contains(#""api_key": "***""#) == true)

        // Replayed with another key on an empty warehouse: the same rows, and no request the recording lacks.
        let read = try Fixtures(folder: fixtures).recording("items")
        #expect(read == recording)
        try await RecordedAPI.serving(read) { api in
            let replay = try await TestPlatform.make(kind, ["FIXTURE_BASE_URL": api.baseURL, "FIXTURE_API_KEY": "replay-key-0000"])
            let report = try await replay.platform.run("fixture.items", in: registry)
            #expect(report.status == "succeeded", "\(report.error ?? "")")
            #expect(report.counts.artifacts == recording.expected.artifacts)
            #expect(report.counts.parsed == recording.expected.parsed)
            #expect(report.counts.inserted == recording.expected.inserted)
            #expect(api.unmatched.isEmpty)
            let replayed = try await silver(replay)
            #expect(replayed.count == 7)
            #expect(replayed == (try await silver(original)))
        }
    }

    @Test func recordTakesTheLatestSuccessfulRunOrTheOneNamed() async throws {
        let live = try await echoingItemsAPI(key: Self.secret)
        let test = try await TestPlatform.make(.sqlite, ["FIXTURE_BASE_URL": live.baseURL, "FIXTURE_API_KEY": Self.secret])
        let good = try await test.platform.run("fixture.items", in: registry)
        let bad = try await test.with(["FIXTURE_API_KEY": "wrong-key-1234"]).platform.run("fixture.items", in: registry)
        await live.stop()
        #expect(good.status == "succeeded")
        #expect(bad.status == "failed")
        let base = NSTemporaryDirectory() + "recording-\(UUID().uuidString.prefix(8))"

        let latest = try await test.platform.record("fixture.items", in: registry, into: base + "/latest")
        #expect(latest.runId == good.runId)
        let named = try await test.platform.record("fixture.items", in: registry, runId: good.runId, into: base + "/named")
        #expect(named.artifacts == latest.artifacts)

        let failed = await #expect(throws: IngestError.self) {
            try await test.platform.record("fixture.items", in: registry, runId: bad.runId, into: base + "/failed")
        }
        #expect(failed?.message.contains("no bronze manifest") == true, "\(failed?.message ?? "")")
        let unknown = await #expect(throws: IngestError.self) {
            try await test.platform.record("fixture.items", in: registry, runId: "no-such-run", into: base + "/unknown")
        }
        #expect(unknown?.message.contains("no run no-such-run of fixture.items") == true, "\(unknown?.message ?? "")")
        #expect(!FileManager.default.fileExists(atPath: base + "/failed"))
        #expect(!FileManager.default.fileExists(atPath: base + "/unknown"))
    }

    @Test func recordsFromS3Bronze() async throws {
        let live = try await echoingItemsAPI(key: Self.secret)
        var settings = try TestS3.settings()
        settings["FIXTURE_BASE_URL"] = live.baseURL
        settings["FIXTURE_API_KEY"] = Self.secret
        let test = try await TestPlatform.make(.sqlite, settings)
        let run = try await test.platform.run("fixture.items", in: registry)
        await live.stop()
        #expect(run.status == "succeeded", "\(run.error ?? "")")
        let folder = NSTemporaryDirectory() + "recording-\(UUID().uuidString.prefix(8))"
        let recording = try await test.platform.record("fixture.items", in: registry, into: folder)
        #expect(recording.artifacts.count == 3)
        for file in files(in: folder) { #expect(!file.text.contains(Self.secret), "\(file.path) holds the API key") }
        try await RecordedAPI.serving(recording) { api in
            let replay = try await TestPlatform.make(.sqlite, ["FIXTURE_BASE_URL": api.baseURL, "FIXTURE_API_KEY": "another-key"])
            let report = try await replay.platform.run("fixture.items", in: registry)
            #expect(report.counts.parsed == 7, "\(report.error ?? "")")
        }
    }
}
