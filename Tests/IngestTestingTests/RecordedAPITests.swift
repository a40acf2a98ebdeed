import AsyncHTTPClient
import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// What `RecordedAPI` answers: routes by path and query (`***` matching any value), repeated URLs in
/// order, the recorded origin rewritten, and a 404 naming the recorded URLs for anything else.
@Suite struct RecordedAPITests {
    func get(_ url: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.ingest.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    @Test func answersRecordedURLsInOrderAndRefusesOthersNamingWhatWasRecorded() async throws {
        let api = try await RecordedAPI.start([
            .init(url: "https://api.example.com/v1/items?page=1&api_key=***", body: Data(#"{"next": "https://api.example.com/v1/items?page=2"}"#.utf8)),
            .init(url: "https://api.example.com/v1/items?page=2&api_key=***", body: Data(#"{"n": "first"}"#.utf8)),
            .init(url: "https://api.example.com/v1/items?api_key=***&page=2", body: Data(#"{"n": "second"}"#.utf8)),
        ], origin: "https://api.example.com")
        let first = try await get(api.baseURL + "/v1/items?page=1&api_key=any-key")
        #expect(first.status == 200)
        #expect(first.body == #"{"next": "\#(api.baseURL)/v1/items?page=2"}"#)
        #expect(try await get(api.baseURL + "/v1/items?api_key=k&page=2").body == #"{"n": "first"}"#)
        #expect(try await get(api.baseURL + "/v1/items?api_key=k&page=2").body == #"{"n": "second"}"#)

        let missing = try await get(api.baseURL + "/v1/items?page=3&api_key=k")
        #expect(missing.status == 404)
        #expect(missing.body.contains("no recorded artifact answers GET /v1/items?api_key=k&page=3"))
        #expect(missing.body.contains("/v1/items?api_key=***&page=1"))
        let withoutKey = try await get(api.baseURL + "/v1/items?page=1")
        #expect(withoutKey.status == 404)
        #expect(api.unmatched == ["GET /v1/items?api_key=k&page=3", "GET /v1/items?page=1"])
        await api.stop()
    }

    @Test func aChangedArtifactFileIsRefusedNamingIt() async throws {
        let folder = NSTemporaryDirectory() + "recording-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let recording = RunRecording(
            source: "fixture", dataset: "items", runId: "r1", ingestDate: "2026-12-01", origin: nil,
            artifacts: [.init(artifactId: "page_00001", file: "page_00001.json", url: "http://h/v1/items", contentType: "application/json",
                              extractionMethod: .apiJSON, sha256: Checksum.sha256Hex(Data("[]".utf8)), size: 2)],
            expected: .init(artifacts: 1, parsed: 0, rejected: 0, inserted: 0), redactions: 0)
        try JSONEncoder().encode(recording).write(to: URL(fileURLWithPath: folder + "/recording.json"))
        try Data("[1]".utf8).write(to: URL(fileURLWithPath: folder + "/page_00001.json"))
        let error = await #expect(throws: IngestError.self) { _ = try await RecordedAPI.start(try RunRecording.read(folder: folder)) }
        #expect(error?.message == "\(folder)/page_00001.json does not match the SHA-256 in recording.json")

        let none = #expect(throws: IngestError.self) { try Fixtures(folder: folder).recording("orders") }
        #expect(none?.message.contains("holds no recorded run of orders") == true)
        #expect(none?.fix?.contains("ingestctl record <source>.orders") == true)
    }
}
