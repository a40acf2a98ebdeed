import AsyncHTTPClient
import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// `ingestctl fixtures serve <folder>` as a script uses it: the base URL as the first line printed, then
/// IngestTesting's `RecordedAPI` answering from a routes.json, from plain fixture files or from a recorded run.
@Suite struct IngestctlFixturesServeTests {
    static let token = "fixture-token-93b1c4e2"

    func get(_ url: String, headers: [(String, String)] = []) async throws -> (status: Int, contentType: String, body: String) {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), response.headers.first(name: "Content-Type") ?? "", String(buffer: body))
    }

    func write(_ files: [String: String], in folder: String) throws {
        for (name, text) in files {
            let path = folder + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        }
    }

    /// Starts `ingestctl fixtures serve` and waits for the base URL it prints first; the caller terminates it.
    func serve(_ arguments: [String], in folder: String) async throws -> (process: Process, baseURL: String, stderr: String) {
        let name = UUID().uuidString.prefix(8)
        let out = folder + "/serve-\(name).out", err = folder + "/serve-\(name).err"
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        let process = try Ingestctl.process(["fixtures", "serve"] + arguments, environment: [:], in: folder)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        try process.run()
        let firstLine = { String(decoding: FileManager.default.contents(atPath: out) ?? Data(), as: UTF8.self).split(separator: "\n").first.map(String.init) }
        do {
            try await waitUntil("ingestctl fixtures serve to print its base URL") { firstLine() != nil || !process.isRunning }
        } catch {
            process.terminate()
            throw error
        }
        let stderr = String(decoding: FileManager.default.contents(atPath: err) ?? Data(), as: UTF8.self)
        guard let base = firstLine() else {
            throw IngestError("ingestctl fixtures serve exited with \(process.terminationStatus): \(stderr)")
        }
        return (process, base, err)
    }

    func stop(_ process: Process) {
        process.terminate()
        process.waitUntilExit()
    }

    @Test func servesARoutesFileByPathAndQueryAndRefusesARequestWithoutTheToken() async throws {
        let folder = try Ingestctl.workingDirectory("fixtures-serve")
        try write([
            "api/routes.json": #"""
                [{"url": "/resource/permits.json?$limit=2", "file": "first.json"},
                 {"url": "/resource/permits.json?$limit=2&$offset=0", "file": "first.json"},
                 {"url": "/resource/permits.json?$offset=2&$limit=2", "file": "second.json"}]
                """#,
            "api/first.json": #"[{"id": 1}, {"id": 2}]"#,
            "api/second.json": #"[{"id": 3}]"#,
        ], in: folder)
        let (process, base, errFile) = try await serve(["api", "--require-header", "X-App-Token: \(Self.token)"], in: folder)
        defer { stop(process) }
        #expect(base.hasPrefix("http://127.0.0.1:"), "\(base)")
        let token = [("X-App-Token", Self.token)]

        let sample = try await get(base + "/resource/permits.json?$limit=2", headers: token)
        #expect(sample.status == 200)
        #expect(sample.contentType == "application/json")
        #expect(sample.body == #"[{"id": 1}, {"id": 2}]"#)
        #expect(try await get(base + "/resource/permits.json?%24limit=2&%24offset=2", headers: token).body == #"[{"id": 3}]"#)

        let other = try await get(base + "/resource/permits.json?$limit=2&$offset=4", headers: token)
        #expect(other.status == 404)
        #expect(other.body.contains("no recorded artifact answers GET /resource/permits.json?$limit=2&$offset=4"), "\(other.body)")
        #expect(other.body.contains("/resource/permits.json?$limit=2&$offset=2"), "the 404 names what is served")

        for headers in [[], [("X-App-Token", "wrong")]] {
            let refused = try await get(base + "/resource/permits.json?$limit=2", headers: headers)
            #expect(refused.status == 401)
            #expect(refused.body.contains("lacks the header X-App-Token"), "\(refused.body)")
            #expect(!refused.body.contains(Self.token))
        }
        let stderr = String(decoding: FileManager.default.contents(atPath: errFile) ?? Data(), as: UTF8.self)
        #expect(stderr.contains("serving api on \(base)"), "\(stderr)")
        #expect(!stderr.contains(Self.token))
    }

    @Test func servesPlainFixtureFilesAtTheirPathsAndARecordedRun() async throws {
        let folder = try Ingestctl.workingDirectory("fixtures-serve")
        try write(["files/exports/orders.csv": "id,name\n1,a\n", "files/orders.html": "<table></table>"], in: folder)
        let (process, base, _) = try await serve(["files"], in: folder)
        defer { stop(process) }
        let csv = try await get(base + "/exports/orders.csv?since=2026-01-01")
        #expect(csv.status == 200)
        #expect(csv.contentType == "text/csv")
        #expect(csv.body == "id,name\n1,a\n")
        #expect(try await get(base + "/orders.html").contentType.hasPrefix("text/html"))
        #expect(try await get(base + "/orders.json").status == 404)

        // A dataset's folder of recordings (what `ingestctl record` writes): the newest run, its origin rewritten.
        let run = folder + "/Fixtures/items/r1"
        let body = Data(#"{"next": "https://api.example.com/v1/items?page=2"}"#.utf8)
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        try body.write(to: URL(fileURLWithPath: run + "/page_00001.json"))
        let recording = RunRecording(
            source: "fixture", dataset: "items", runId: "r1", ingestDate: "2026-12-01", origin: "https://api.example.com",
            artifacts: [.init(artifactId: "page_00001", file: "page_00001.json", url: "https://api.example.com/v1/items?page=1",
                              contentType: "application/json", extractionMethod: .apiJSON, sha256: Checksum.sha256Hex(body), size: body.count)],
            expected: .init(artifacts: 1, parsed: 0, rejected: 0, inserted: 0), redactions: 0)
        try JSONEncoder().encode(recording).write(to: URL(fileURLWithPath: run + "/recording.json"))
        let (replay, replayBase, _) = try await serve(["Fixtures/items"], in: folder)
        defer { stop(replay) }
        let page = try await get(replayBase + "/v1/items?page=1")
        #expect(page.status == 200)
        #expect(page.body == #"{"next": "\#(replayBase)/v1/items?page=2"}"#)
    }

    @Test func aFolderItCannotServeIsRefusedNamingIt() async throws {
        let folder = try Ingestctl.workingDirectory("fixtures-serve")
        let missing = try await Ingestctl.run(["fixtures", "serve", "no-such-folder"], environment: [:], in: folder)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no-such-folder is not a folder"), "\(missing.stderr)")
        try write(["bad/routes.json": #"[{"url": "/a", "file": "a.json"}]"#], in: folder)
        let bad = try await Ingestctl.run(["fixtures", "serve", "bad"], environment: [:], in: folder)
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("bad/a.json, named in routes.json for /a, does not exist"), "\(bad.stderr)")
    }
}
