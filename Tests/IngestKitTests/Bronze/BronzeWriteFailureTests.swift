import Foundation
@testable import IngestKit
import IngestTestSupport
import Testing

/// Issue 20 item 9: a bronze write that fails names the artifact, its key, its size and the reason in
/// words with a fix, and leaves no provenance for an artifact that was never written.
@Suite struct BronzeWriteFailureTests {
    @Test(arguments: WarehouseKind.allCases)
    func aFileWhereTheDatasetFolderShouldBeFailsTheRunNamingTheArtifactAndTheReason(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        let root = test.platform.lakehouseRoot
        // A plain file where bronze wants the dataset's folder.
        try FileManager.default.createDirectory(atPath: root + "/bronze/fixture", withIntermediateDirectories: true)
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: root + "/bronze/fixture/dataset=items"))
        let pages = itemPages(count: 3)
        let report = try await test.run(ItemsDataset.make(pages: pages))

        #expect(report.status == "failed")
        let error = try #require(report.error)
        #expect(error.contains("bronze could not store artifact page_1 (\(pages[0].utf8.count) bytes) at bronze/fixture/dataset=items/"), "\(error)")
        #expect(error.contains("a file stands where a folder should be"), "\(error)")
        #expect(error.contains("fix: move away the file that stands in the way"), "\(error)")
        #expect(!error.contains("NSCocoaErrorDomain"), "\(error)")
        let files = FileManager.default.enumerator(atPath: root)?.allObjects.compactMap { $0 as? String } ?? []
        #expect(!files.contains { $0.hasSuffix(".meta.json") }, "no provenance without its artifact: \(files)")
        let ledger = try #require(try await test.rows(of: "staging.ingestion_state", by: "run_id")[report.runId])
        #expect(ledger["error_message"]?.contains("a file stands where a folder should be") == true, "\(ledger)")
    }

    @Test func anS3PutThatFailsNamesTheArtifactTheKeyTheSizeTheStatusAndTheS3Code() async throws {
        // A loopback S3 endpoint that refuses every request (nothing is forwarded to a real server).
        let proxy = try await S3FaultProxy.start(upstream: "http://127.0.0.1:9") { _, _ in
            S3FaultProxy.errorResponse(status: 403, code: "AccessDenied", message: "Access Denied")
        }
        defer { Task { await proxy.stop() } }
        let store = S3ObjectStore(configuration: try TestS3.configuration(bucket: "lakehouse", endpoint: proxy.endpoint), retry: TestS3.fastRetry)
        let bronze = Bronze(store: store, source: "fixture", dataset: "items")
        let bytes = Data(itemPages(count: 2)[0].utf8)
        let error = await #expect(throws: IngestError.self) {
            _ = try await bronze.write(RawArtifact(artifactId: "page_00001", bytes: bytes, url: "https://api.example.test/items?page=1",
                                                   contentType: "application/json", extractionMethod: .apiJSON),
                                       runId: "r1", ingestDate: "2026-12-07", extractedAt: "2026-12-07T10:00:00")
        }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("bronze could not store artifact page_00001 (\(bytes.count) bytes) at "
                                  + "bronze/fixture/dataset=items/ingest_date=2026-12-07/run_id=r1/page_00001.json in "), "\(message)")
        #expect(message.contains("answered 403 AccessDenied: Access Denied"), "\(message)")
        #expect(proxy.requests == 1, "a 403 is not retried")
    }

    /// The reasons a test on this machine cannot cause for real (root ignores permissions; no mounts in CI).
    @Test(arguments: [(ENOSPC, "no space left on device", "free at least 4096 bytes on the disk of /data/bronze"),
                      (EFBIG, "file too large", "ulimit -f"),
                      (EACCES, "permission denied", "write access to /data/bronze"),
                      (EROFS, "read-only file system", "mounted read-only")])
    func eachOSReasonIsSaidInWordsWithItsFix(_ code: Int32, _ reason: String, _ fix: String) {
        let error = LocalWriteFailure(path: "/data/bronze/page_00001.json", size: 4096, errno: code, step: "write the file").error
        #expect(error.message == "cannot write the file /data/bronze/page_00001.json (4096 bytes): \(reason)")
        #expect(error.fix?.contains(fix) == true, "\(error.fix ?? "")")
        #expect(error.fix?.contains("INGEST_HOME") == true)
    }

    @Test func aStoreThatCannotWriteTheMetadataRemovesTheArtifactAgain() async throws {
        let folder = NSTemporaryDirectory() + "bronze-meta-\(UUID().uuidString.prefix(8))"
        let store = LocalObjectStore(root: folder)
        let key = "bronze/s/dataset=d/page_1.json"
        // A folder where the metadata file should go: the object is written, its metadata cannot be.
        try FileManager.default.createDirectory(atPath: folder + "/" + key + ".meta.json/inside", withIntermediateDirectories: true)
        await #expect(throws: IngestError.self) {
            try await store.put(key: key, bytes: Data("{}".utf8), contentType: "application/json", metadata: ["run-id": "r"])
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/" + key), "the artifact is not left without its provenance")
        #expect(try await store.head(key: key) == nil)
    }
}
