import Foundation
@testable import IngestKit
import IngestTestSupport
import Testing

/// S3-compatible bronze against a real S3-compatible server (moto) on 127.0.0.1, started by scripts/test.sh.
@Suite struct S3ObjectStoreTests {
    func store(bucket: String = TestS3.freshBucket(), endpoint: String? = nil,
               configure: (inout S3Configuration) -> Void = { _ in }) async throws -> S3ObjectStore {
        var configuration = try TestS3.configuration(bucket: bucket, endpoint: endpoint)
        configure(&configuration)
        let store = S3ObjectStore(configuration: configuration, retry: TestS3.fastRetry)
        try await store.prepare()
        return store
    }

    @Test func objectAndMetadataRoundTrip() async throws {
        let store = try await store()
        let key = "bronze/acme_portal/dataset=orders/ingest_date=2026-11-27/run_id=r 1+2/page_00001.json"
        let bytes = Data(#"{"results": [{"id": 1}]}"#.utf8)
        let metadata = ["artifact-id": "page_00001", "sha256": Checksum.sha256Hex(bytes), "source-url": "https://h/v1/orders?page=1&q=café",
                        "run-id": "r 1+2", "note": "  padded  "]
        try await store.put(key: key, bytes: bytes, contentType: "application/json", metadata: metadata)
        #expect(try await store.get(key: key) == bytes)
        var expected = metadata
        expected["content-type"] = "application/json"
        #expect(try await store.head(key: key) == expected)
        #expect(try await store.head(key: key + ".missing") == nil)
        let missing = await #expect(throws: IngestError.self) { try await store.get(key: "bronze/nothing-here.json") }
        #expect(missing?.message.contains("does not exist") == true)
        #expect(try await store.list(prefix: "bronze/acme_portal/") == [key])
    }

    @Test func largeArtifactGoesUpInPartsAndComesBackWhole() async throws {
        let store = try await store { configuration in
            configuration.multipartThreshold = 6 << 20
            configuration.partSize = S3Configuration.minimumPartSize
        }
        var bytes = Data(capacity: (12 << 20) + 123)
        for _ in 0..<((12 << 20) / 8) { withUnsafeBytes(of: UInt64.random(in: .min ... .max)) { bytes.append(contentsOf: $0) } }
        bytes.append(contentsOf: (0..<123).map { UInt8($0) })
        let key = "bronze/big/dataset=d/run_id=r/export.bin"
        try await store.put(key: key, bytes: bytes, contentType: "application/octet-stream", metadata: ["sha256": Checksum.sha256Hex(bytes)])
        #expect(try await store.get(key: key) == bytes)
        #expect(try await store.head(key: key)?["sha256"] == Checksum.sha256Hex(bytes))
        // A multipart object's ETag ends in the number of parts: 5 MiB + 5 MiB + the rest.
        let head = try await store.client.send("HEAD", key: key)
        #expect(head.header("ETag")?.hasSuffix("-3\"") == true, "\(head.header("ETag") ?? "no ETag")")
    }

    @Test func failedMultipartUploadLeavesNoObject() async throws {
        let bucket = TestS3.freshBucket()
        _ = try await store(bucket: bucket)
        // The second part is refused for good: the upload is aborted and no object appears.
        let proxy = try await S3FaultProxy.start(upstream: try TestS3.endpoint()) { _, request in
            request.query["partNumber"] == "2" ? S3FaultProxy.errorResponse(status: 403, code: "AccessDenied", message: "denied") : nil
        }
        defer { Task { await proxy.stop() } }
        let failing = try await store(bucket: bucket, endpoint: proxy.endpoint) { configuration in
            configuration.multipartThreshold = 6 << 20
            configuration.partSize = S3Configuration.minimumPartSize
        }
        let key = "bronze/big/export.bin"
        await #expect(throws: IngestError.self) {
            try await failing.put(key: key, bytes: Data(count: 11 << 20), contentType: "application/octet-stream", metadata: [:])
        }
        #expect(try await failing.head(key: key) == nil)
        #expect(try await failing.list(prefix: "bronze/") == [])
        let uploads = try await failing.client.send("GET", key: nil, query: [("uploads", "")])
        #expect(S3XML.values(of: "UploadId", in: uploads.body).isEmpty, "the upload was aborted")
    }

    @Test func listingFollowsContinuationPastOneThousandKeys() async throws {
        let store = try await store()
        let count = 1_005
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for index in stride(from: worker, to: count, by: 8) {
                        try await store.put(key: String(format: "bronze/s/dataset=d/run_id=r/page_%05d.json", index), bytes: Data("\(index)".utf8),
                                            contentType: "application/json", metadata: [:])
                    }
                }
            }
            try await group.waitForAll()
        }
        try await store.put(key: "bronze/s/dataset=other/x.json", bytes: Data(), contentType: "application/json", metadata: [:])
        let keys = try await store.list(prefix: "bronze/s/dataset=d/")
        #expect(keys.count == count)
        #expect(keys == keys.sorted())
        #expect(keys.last == "bronze/s/dataset=d/run_id=r/page_01004.json")
        // Small pages: the same keys over many continuation tokens.
        let paged = try await store.client.listObjects(prefix: "bronze/s/dataset=d/", pageSize: 100)
        #expect(paged.sorted() == keys)
    }

    @Test func prepareCreatesTheBucketOnceAndKeepsThePrefix() async throws {
        let bucket = TestS3.freshBucket()
        let settings = Settings(values: try TestS3.settings(bucket: bucket, prefix: "team/lake"))
        let platform = try Platform(settings: settings)
        let store = try #require(try platform.bronzeStore() as? S3ObjectStore)
        #expect(try await store.client.send("HEAD", key: nil, accept: [404]).status == 404)
        try await store.prepare()
        try await store.prepare()
        #expect(try await store.client.send("HEAD", key: nil).status == 200)
        try await store.put(key: "bronze/a/b.json", bytes: Data("{}".utf8), contentType: "application/json", metadata: [:])
        #expect(try await store.list(prefix: "bronze/") == ["bronze/a/b.json"])
        #expect(try await store.client.listObjects(prefix: "") == ["team/lake/bronze/a/b.json"])
        #expect(store.location.hasPrefix("s3://\(bucket)/team/lake/ at http://127.0.0.1:"))
    }

    @Test func unreachableEndpointNamesMinioEndpoint() async throws {
        let closed = try ClosedPort()
        let endpoint = closed.baseURL
        defer { withExtendedLifetime(closed) {} }
        let store = S3ObjectStore(configuration: try TestS3.configuration(endpoint: endpoint), retry: TestS3.fastRetry)
        let error = await #expect(throws: IngestError.self) { try await store.prepare() }
        #expect(error?.message.contains(endpoint) == true)
        #expect(error?.fix?.contains("MINIO_ENDPOINT") == true)
    }

    @Test func slowDownAndServerErrorsAreRetried() async throws {
        let bucket = TestS3.freshBucket()
        _ = try await store(bucket: bucket)
        let proxy = try await S3FaultProxy.start(upstream: try TestS3.endpoint()) { number, _ in
            switch number {
            case 1, 2: return S3FaultProxy.errorResponse(status: 503, code: "SlowDown", message: "Please reduce your request rate.")
            case 3: return S3FaultProxy.errorResponse(status: 500, code: "InternalError", message: "We encountered an internal error.")
            default: return nil
            }
        }
        defer { Task { await proxy.stop() } }
        let store = S3ObjectStore(configuration: try TestS3.configuration(bucket: bucket, endpoint: proxy.endpoint), retry: TestS3.fastRetry)
        try await store.put(key: "bronze/k.json", bytes: Data("[1]".utf8), contentType: "application/json", metadata: ["run-id": "r"])
        #expect(proxy.requests == 4, "three refusals, then the PUT that went through")
        #expect(try await store.get(key: "bronze/k.json") == Data("[1]".utf8))
        #expect(try await store.head(key: "bronze/k.json")?["run-id"] == "r")
    }

    @Test func requestThatTimesOutIsRetried() async throws {
        let bucket = TestS3.freshBucket()
        _ = try await store(bucket: bucket)
        // The first request is never answered in time; the client gives up on it and sends it again.
        let proxy = try await S3FaultProxy.start(upstream: try TestS3.endpoint(), delay: { number, _ in number == 1 ? .seconds(60) : nil }) { number, _ in
            number == 1 ? S3FaultProxy.errorResponse(status: 500, code: "TooLate", message: "the client stopped waiting") : nil
        }
        defer { Task { await proxy.stop() } }
        var configuration = try TestS3.configuration(bucket: bucket, endpoint: proxy.endpoint)
        // Far below the held-back answer's 60 s, far above what moto needs on a loaded machine.
        configuration.requestTimeout = .seconds(10)
        let store = S3ObjectStore(configuration: configuration, retry: TestS3.fastRetry)
        try await store.put(key: "bronze/slow.json", bytes: Data("{}".utf8), contentType: "application/json", metadata: [:])
        #expect(proxy.requests >= 2, "the unanswered request was sent again")
        #expect(try await store.get(key: "bronze/slow.json") == Data("{}".utf8))
    }

    @Test func persistentSlowDownGivesUpAfterTheRetryBudget() async throws {
        let proxy = try await S3FaultProxy.start(upstream: try TestS3.endpoint()) { _, _ in
            S3FaultProxy.errorResponse(status: 503, code: "SlowDown", message: "Please reduce your request rate.")
        }
        defer { Task { await proxy.stop() } }
        let store = S3ObjectStore(configuration: try TestS3.configuration(endpoint: proxy.endpoint), retry: TestS3.fastRetry)
        let error = await #expect(throws: IngestError.self) {
            try await store.put(key: "bronze/k.json", bytes: Data(), contentType: "application/json", metadata: [:])
        }
        #expect(proxy.requests == TestS3.fastRetry.maxAttempts)
        #expect(error?.message.contains("SlowDown") == true)
        #expect(error?.message.contains("gave up after \(TestS3.fastRetry.maxAttempts) attempt(s)") == true)
    }

    @Test func authErrorIsNotRetriedAndNamesTheVariable() async throws {
        let proxy = try await S3FaultProxy.start(upstream: try TestS3.endpoint()) { _, _ in
            S3FaultProxy.errorResponse(status: 403, code: "SignatureDoesNotMatch",
                                       message: "The request signature we calculated does not match the signature you provided.")
        }
        defer { Task { await proxy.stop() } }
        let secret = "a-secret-that-must-not-leak-\(UUID().uuidString.prefix(6))"
        let configuration = try TestS3.configuration(endpoint: proxy.endpoint, secretKey: secret)
        let store = S3ObjectStore(configuration: configuration, retry: TestS3.fastRetry)
        let error = await #expect(throws: IngestError.self) {
            try await store.put(key: "bronze/k.json", bytes: Data(), contentType: "application/json", metadata: [:])
        }
        #expect(proxy.requests == 1, "a 403 is not retried")
        #expect(error?.message.contains("SignatureDoesNotMatch") == true)
        #expect(error?.fix?.contains("MINIO_SECRET_KEY") == true)
        #expect(error.map { !$0.redactedDescription.contains(secret) && !$0.description.contains(secret) } == true)
    }

    @Test func configurationFromSettings() throws {
        func configuration(_ values: [String: String]) throws -> S3Configuration {
            try S3Configuration.from(Settings(values: ["MINIO_ACCESS_KEY": "access-key", "MINIO_SECRET_KEY": "secret-key-1"].merging(values) { $1 }))
        }
        let aws = try configuration(["LAKEHOUSE_URL": "s3://lakehouse", "S3_REGION": "eu-central-1"])
        #expect(aws.addressing == .virtualHosted)
        #expect(aws.hostHeader == "lakehouse.s3.eu-central-1.amazonaws.com")
        #expect(aws.scheme == "https")
        #expect(aws.path(forKey: "bronze/a=b/c.json") == "/bronze/a=b/c.json")
        #expect(aws.prefix == "")
        let minio = try configuration(["LAKEHOUSE_URL": "s3://lakehouse/team/lake/", "MINIO_ENDPOINT": "http://127.0.0.1:9000"])
        #expect(minio.addressing == .pathStyle)
        #expect(minio.region == "us-east-1")
        #expect(minio.hostHeader == "127.0.0.1:9000")
        #expect(minio.prefix == "team/lake/")
        #expect(minio.path(forKey: "k") == "/lakehouse/k")
        #expect(minio.path(forKey: nil) == "/lakehouse")
        #expect(try configuration(["LAKEHOUSE_URL": "s3://lakehouse", "MINIO_ENDPOINT": "https://minio.example:443"]).hostHeader == "minio.example")

        let noSecret = #expect(throws: IngestError.self) {
            try S3Configuration.from(Settings(values: ["LAKEHOUSE_URL": "s3://lakehouse", "MINIO_ACCESS_KEY": "access-key"]))
        }
        #expect(noSecret?.message.contains("MINIO_SECRET_KEY") == true)
        let badBucket = #expect(throws: IngestError.self) { try configuration(["LAKEHOUSE_URL": "s3://Lake_House"]) }
        #expect(badBucket?.message.contains("bucket name") == true)
        let badEndpoint = #expect(throws: IngestError.self) {
            try configuration(["LAKEHOUSE_URL": "s3://lakehouse", "MINIO_ENDPOINT": "127.0.0.1:9000/x"])
        }
        #expect(badEndpoint?.message.contains("MINIO_ENDPOINT") == true)
        let unsupported = #expect(throws: IngestError.self) {
            try Platform(settings: Settings(values: ["LAKEHOUSE_URL": "gs://lakehouse"])).bronzeStore()
        }
        #expect(unsupported?.fix?.contains("s3://") == true)
    }

    @Test func metadataHeadersRoundTripAnyText() {
        let values = ["plain", "café", "line\nbreak", "  padded ", "=?UTF-8?B?looks-encoded?=", ""]
        for value in values {
            let headers = S3Metadata.headers(["x": value])
            #expect(headers.allSatisfy { $0.1.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } })
            #expect(S3Metadata.metadata(from: headers) == ["x": value])
        }
    }

    @Test func xmlValuesDecodeEntities() {
        let xml = Data("<R><Key>a&amp;b &lt;c&gt; &#233;&#x41;</Key><Key>plain</Key><IsTruncated>false</IsTruncated></R>".utf8)
        #expect(S3XML.values(of: "Key", in: xml) == ["a&b <c> éA", "plain"])
        #expect(S3XML.first("IsTruncated", in: xml) == "false")
        #expect(S3XML.first("NextContinuationToken", in: xml) == nil)
    }
}

/// The verifying server: a wrong secret is refused with an error that names the variable, the right one accepted.
@Suite struct S3SignatureVerificationTests {
    @Test func rightSecretIsAcceptedAndWrongOneRefused() async throws {
        let server = try TestS3.verifying()
        let bucket = TestS3.freshBucket()
        let right = S3ObjectStore(configuration: try TestS3.configuration(bucket: bucket, endpoint: server.endpoint,
                                                                          accessKey: server.accessKey, secretKey: server.secretKey),
                                  retry: TestS3.fastRetry)
        try await right.prepare()
        try await right.put(key: "bronze/signed.json", bytes: Data("{}".utf8), contentType: "application/json", metadata: ["run-id": "r1"])
        #expect(try await right.get(key: "bronze/signed.json") == Data("{}".utf8))

        let wrongSecret = "wrong-secret-\(UUID().uuidString.prefix(8))"
        let wrong = S3ObjectStore(configuration: try TestS3.configuration(bucket: bucket, endpoint: server.endpoint,
                                                                          accessKey: server.accessKey, secretKey: wrongSecret),
                                  retry: TestS3.fastRetry)
        let refused = await #expect(throws: IngestError.self) { try await wrong.get(key: "bronze/signed.json") }
        #expect(refused?.message.contains("SignatureDoesNotMatch") == true, "\(refused?.description ?? "")")
        #expect(refused?.fix?.contains("MINIO_SECRET_KEY") == true)
        #expect(refused.map { !$0.description.contains(wrongSecret) && !$0.description.contains(server.secretKey) } == true)

        let unknown = S3ObjectStore(configuration: try TestS3.configuration(bucket: bucket, endpoint: server.endpoint,
                                                                            accessKey: "AKIAUNKNOWNKEY000000", secretKey: server.secretKey),
                                    retry: TestS3.fastRetry)
        let unknownKey = await #expect(throws: IngestError.self) { try await unknown.list(prefix: "bronze/") }
        #expect(unknownKey?.fix?.contains("MINIO_ACCESS_KEY") == true, "\(unknownKey?.description ?? "")")
    }
}
