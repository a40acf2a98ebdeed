import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// Issue 20 item 9 with a real OS failure: `ingestctl run` under a file size limit (`ulimit -f`, as a full or
/// capped disk would) fails naming the artifact, its key, its size and "file too large", with the fix, and
/// leaves no provenance file for the artifact it could not write.
@Suite struct BronzeFileSizeLimitTests {
    @Test func aRunPastTheFileSizeLimitSaysFileTooLargeNamingTheArtifact() async throws {
        // The warehouse is PostgreSQL, so the only files the run writes are bronze's (a SQLite warehouse's files
        // would meet the limit first).
        let env = try await Ingestctl.acmeDemoEnvironment(rows: 300, kind: .postgres)
        let folder = try Ingestctl.workingDirectory("file-size-limit")
        let process = try Ingestctl.process(["run", "acme_portal.orders"], environment: env, in: folder)
        let binary = try #require(process.executableURL?.path)
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // 8 blocks of 512 bytes: a page of 100 orders is larger.
        process.arguments = ["-c", #"ulimit -f 8 && exec "$0" "$@""#, binary, "run", "acme_portal.orders"]
        let run = try await Ingestctl.run(process)

        #expect(run.status == 1, "\(run.stderr)")
        let output = run.stdout + run.stderr
        #expect(output.contains("bronze could not store artifact page_00001 ("), "\(output)")
        #expect(output.contains("bytes) at bronze/acme_portal/dataset=orders/ingest_date="), "\(output)")
        #expect(output.contains("file too large"), "\(output)")
        #expect(output.contains("ulimit -f"), "the fix names the limit: \(output)")
        let lakehouse = folder + "/.ingest/lakehouse"
        let files = FileManager.default.enumerator(atPath: lakehouse)?.allObjects.compactMap { $0 as? String } ?? []
        #expect(!files.contains { $0.hasSuffix(".meta.json") }, "no provenance without its artifact: \(files)")
        #expect(!files.contains { $0.hasSuffix("page_00001.json") }, "\(files)")
    }
}
