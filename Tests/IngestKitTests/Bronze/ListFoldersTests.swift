import Foundation
@testable import IngestKit
import IngestTestSupport
import Testing

/// `listFolders` reads one level of a store (what `bronze ls --since`, `replay --since` and `prune` list),
/// on the local folder and on a real S3-compatible server (moto, started by scripts/test.sh).
@Suite struct ListFoldersTests {
    static let prefix = "bronze/acme_portal/dataset=orders/"
    static let keys = [
        "bronze/acme_portal/dataset=orders/ingest_date=2026-11-01/run_id=a/page_00001.json",
        "bronze/acme_portal/dataset=orders/ingest_date=2026-11-01/run_id=b/page_00001.json",
        "bronze/acme_portal/dataset=orders/ingest_date=2026-11-02/run_id=c & d/page_00001.json",
        "bronze/acme_portal/dataset=orders_archive/ingest_date=2026-10-01/run_id=z/page_00001.json",
    ]

    func fill(_ store: any ObjectStore) async throws {
        for key in Self.keys { try await store.put(key: key, bytes: Data("{}".utf8), contentType: "application/json", metadata: ["size": "2"]) }
    }

    func check(_ store: any ObjectStore) async throws {
        #expect(try await store.listFolders(prefix: Self.prefix)
                == [Self.prefix + "ingest_date=2026-11-01/", Self.prefix + "ingest_date=2026-11-02/"])
        #expect(try await store.listFolders(prefix: Self.prefix + "ingest_date=2026-11-02/")
                == [Self.prefix + "ingest_date=2026-11-02/run_id=c & d/"])
        #expect(try await store.listFolders(prefix: "bronze/nothing/") == [])
    }

    @Test func localFolder() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("list-folders-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = LocalObjectStore(root: root.path)
        try await fill(store)
        try await check(store)
        // Deleting the last object of a partition removes its emptied folders: it is not listed again.
        try await store.delete(key: Self.keys[2])
        #expect(try await store.listFolders(prefix: Self.prefix) == [Self.prefix + "ingest_date=2026-11-01/"])
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("bronze/acme_portal").path))
    }

    @Test func s3() async throws {
        let store = S3ObjectStore(configuration: try TestS3.configuration(bucket: TestS3.freshBucket()), retry: TestS3.fastRetry)
        try await store.prepare()
        try await fill(store)
        try await check(store)
    }
}
