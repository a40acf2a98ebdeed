import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// gzip and deflate response bodies are decoded by the HTTP client before bronze stores them (issue 11, item 2).
@Suite struct CompressedBodyTests {
    typealias Encoding = ContentCoding

    /// Two pages of items, each body compressed and sent with `Content-Encoding`.
    static func api(_ encoding: Encoding) async throws -> (TestServer, [String]) {
        let pages = itemPages(count: 80, pageSize: 50)
        let bodies = try pages.enumerated().map { index, body in
            var page = body
            page.removeLast()
            return page + (index == 0 ? #", "next": "/v1/items?page=2"}"# : #", "next": null}"#)
        }
        let compressed = try bodies.map { try encoding.compress(Data($0.utf8)) }
        let server = try await TestServer.start { request, _, _ in
            let n = Int(request.query["page"] ?? "1") ?? 1
            return LoopbackHTTPServer.Response(
                headers: [("Content-Type", "application/json"), ("Content-Encoding", encoding.rawValue)], body: compressed[n - 1])
        }
        return (server, bodies)
    }

    @Test(arguments: Encoding.allCases)
    func bronzeStoresTheDecodedBody(_ encoding: Encoding) async throws {
        let (server, bodies) = try await Self.api(encoding)
        defer { Task { await server.stop() } }
        let artifacts = try await extractAll(RESTExtractor(
            baseURL: server.baseURL, path: "/v1/items", paginator: .nextURL(path: "next"), recordsPath: "results",
            limits: HTTPLimits(timeout: .seconds(120), retry: fastRetry)), testContext())
        #expect(artifacts.map { String(decoding: $0.bytes, as: UTF8.self) } == bodies, "the JSON as the API meant it, not its \(encoding) bytes")
        #expect(await server.requests.allSatisfy { $0.header("Accept-Encoding") == "gzip, deflate" }, "the client says what it decodes")
    }

    @Test(arguments: Encoding.allCases, WarehouseKind.allCases)
    func aCompressedAPILoadsOnBothWarehouses(_ encoding: Encoding, _ kind: WarehouseKind) async throws {
        let (server, _) = try await Self.api(encoding)
        defer { Task { await server.stop() } }
        let test = try await TestPlatform.make(kind, ["ITEMS_BASE_URL": server.baseURL])
        let report = try await test.withWarehouse { warehouse in
            await Pipeline(platform: test.platform, warehouse: warehouse).run(plainItemsDataset)
        }
        #expect(report.status == "succeeded", "\(report.error ?? "")")
        #expect(report.counts.artifacts == 2)
        #expect(report.counts.inserted == 80)
        let rows = try await test.withWarehouse { try await $0.execute("SELECT name FROM fixture.items WHERE id = 'I79'") }
        #expect(rows.first?["name"] == "item 79")
    }
}

/// The items API with no credentials, next links and a records path.
let plainItemsDataset = Dataset(
    table: ItemsTable.self,
    extractor: RESTExtractor(baseURLVariable: "ITEMS_BASE_URL", path: "/v1/items", paginator: .nextURL(path: "next"), recordsPath: "results",
                             limits: HTTPLimits(timeout: .seconds(120), retry: fastRetry)),
    parse: .parser(ItemsParser()))
