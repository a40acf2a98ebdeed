import AcmePortal
import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// acme_portal end to end with bronze in an S3-compatible bucket (moto on 127.0.0.1) and silver in
/// SQLite or PostgreSQL: the production pair `LAKEHOUSE_URL=s3://…` + `WAREHOUSE_URL=postgres://…`.
@Suite struct AcmePortalS3BronzeTests {
    static let token = "acme-s3-test-token-51c2"
    let registry = SourceRegistry([AcmePortalSource()])

    @Test(arguments: WarehouseKind.allCases)
    func ordersRunWithBronzeOnS3AndReparseFromRun(_ kind: WarehouseKind) async throws {
        let server = try await AcmeDemoAPI(orders: 350, token: Self.token).start()
        let bucket = TestS3.freshBucket()
        var settings = try TestS3.settings(bucket: bucket, prefix: "lake")
        settings["ACME_PORTAL_BASE_URL"] = server.baseURL
        settings["ACME_PORTAL_API_TOKEN"] = Self.token
        let test = try await TestPlatform.make(kind, settings)

        let first = try await test.platform.run("acme_portal.orders", in: registry)
        await server.stop()
        #expect(first.status == "succeeded", "\(first.error ?? "")")
        #expect(first.counts.artifacts == 4)
        #expect(first.counts.inserted == 350)
        #expect(first.bronze.hasPrefix("s3://\(bucket)/lake/"))

        // Bronze is in the bucket, under the prefix, with the provenance as metadata; nothing in a local folder.
        let store = try test.platform.bronzeStore()
        let prefix = try #require(first.bronzePrefix)
        let keys = try await store.list(prefix: prefix)
        #expect(keys.count == 5, "4 pages and the manifest: \(keys)")
        #expect(keys.contains(prefix + "_manifest.json"))
        let page = try #require(keys.first { $0.hasSuffix(".json") && !$0.hasSuffix("_manifest.json") })
        let metadata = try #require(try await store.head(key: page))
        #expect(metadata["sha256"] == Checksum.sha256Hex(try await store.get(key: page)))
        #expect(metadata["run-id"] == first.runId)
        #expect(metadata["extraction-method"] == "api_json")
        #expect(metadata.values.allSatisfy { !$0.contains(Self.token) }, "no token in bronze metadata")
        #expect(!FileManager.default.fileExists(atPath: test.platform.lakehouseRoot))

        // The source is gone: --from-run parses the run again from the bucket alone.
        let again = try await test.platform.run("acme_portal.orders", in: registry, options: RunOptions(fromRun: first.runId))
        #expect(again.status == "succeeded", "\(again.error ?? "")")
        #expect(again.fromRunId == first.runId)
        #expect(again.counts.parsed == 350)
        #expect(again.counts.unchanged == 350)
        #expect(again.counts.inserted == 0)
        let rows = try await test.withWarehouse { try await $0.execute("SELECT count(*) AS n FROM acme_portal.orders") }
        #expect(rows.first?["n"] == "350")
    }

    @Test func unreachableBronzeFailsTheRunNamingMinioEndpoint() async throws {
        let closed = try ClosedPort()
        defer { withExtendedLifetime(closed) {} }
        let server = try await AcmeDemoAPI(orders: 10, token: Self.token).start()
        defer { Task { await server.stop() } }
        var settings = try TestS3.settings(endpoint: closed.baseURL)
        settings["ACME_PORTAL_BASE_URL"] = server.baseURL
        settings["ACME_PORTAL_API_TOKEN"] = Self.token
        let test = try await TestPlatform.make(.sqlite, settings)
        let report = try await test.platform.run("acme_portal.orders", in: registry)
        #expect(report.status == "failed")
        let error = try #require(report.error)
        #expect(error.contains("MINIO_ENDPOINT"), "\(error)")
        #expect(!error.contains("test-secret-key-not-checked"))
    }
}
