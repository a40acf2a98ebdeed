@testable import AcmePortal
import Foundation
import IngestKit
import Testing

/// The acme_portal `Page<OrderItem>` shape through the SDK's decoder and Foundation's:
/// the same items, the same rows, and malformed pages named with their byte offset.
@Suite struct AcmeJSONDecodingTests {
    func artifact(_ json: String, id: String = "page-1") -> StoredArtifact {
        StoredArtifact(bytes: Data(json.utf8), provenance: Provenance(
            artifactId: id, key: "bronze/acme_portal/dataset=orders/\(id).json", sha256: "", size: json.utf8.count,
            url: "http://127.0.0.1/v1/orders", contentType: "application/json", extractionMethod: .apiJSON,
            runId: "test", extractedAt: "2026-01-01T00:00:00Z"))
    }

    /// Every field of a decoded page, comparable.
    func flatten(_ page: Page<OrderItem>) -> [String] {
        ["\(page.count as Any) \(page.page as Any) \(page.next as Any)"] + page.results.map { item in
            let lines = (item.lines ?? []).map { "\($0.sku as Any)x\($0.quantity as Any)" }
            return [item.id.value, item.name, item.status, item.createdAt, item.total.map { "\($0.value)" }, item.description,
                    item.customer?.id?.value, item.customer?.email, item.customer?.address?.city, item.customer?.address?.zip,
                    lines.joined(separator: ";")].map { $0 ?? "nil" }.joined(separator: "|")
        }
    }

    func compare(_ json: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let data = Data(json.utf8)
        let ours = try IngestJSONDecoder().decode(Page<OrderItem>.self, from: data)
        let foundation = try JSONDecoder().decode(Page<OrderItem>.self, from: data)
        #expect(flatten(ours) == flatten(foundation), sourceLocation: sourceLocation)
        let rows = try orderRows(artifact(json))
        let foundationRows = try StoredArtifact.$jsonDecoding.withValue(.foundation) { try orderRows(artifact(json)) }
        #expect(rows == foundationRows, sourceLocation: sourceLocation)
    }

    @Test func demoPagesDecodeAlike() throws {
        let api = AcmeDemoAPI(orders: 1_050, revision: 2)
        for page in 1...11 { try compare(api.ordersPage(page)) }
    }

    /// Orders in the shapes real APIs send: ids as numbers, totals as long decimals or
    /// integers, unicode and escapes, fields missing or null, members in any order.
    @Test func variedOrdersDecodeAlike() throws {
        for page in 0..<200 {
            let items = (0..<(page % 9)).map { order(page * 10 + $0) }
            try compare(#"{"count": 5, "page": 1, "next": null, "results": [\#(items.joined(separator: ", "))]}"#)
        }
    }

    /// Order number `n`: each field cycles through its shapes with a different stride, so pages mix them.
    func order(_ n: Int) -> String {
        var salt = 0
        func pick(_ values: [String]) -> String {
            salt += 1
            return values[(n &* 2_654_435_761 &+ salt &* 40_503) % values.count]
        }
        var members = [
            #""id": \#(pick(["\"ORD-1\"", "123", "-9223372036854775808", "\"\\u004FRD-\\u00e9\""]))"#,
            #""name": \#(pick(["\"Order ü 😀\"", "null", "\"tab\\tquote\\\"\"", "\"\""]))"#,
            #""status": \#(pick(["\"shipped\"", "null", "\"  PENDING \""]))"#,
            #""created_at": \#(pick(["\"2025-03-04T05:06:07Z\"", "null"]))"#,
            #""total": \#(pick(["\"12.50\"", "12.5", "0.1", "\"12345678901234567.89\"", "1e3", "-0", "null", "952"]))"#,
            #""description": \#(pick(["\"Demo \\/ order\"", "null"]))"#,
            #""customer": \#(pick([#"{"id": 7, "email": "a@b.c", "address": {"city": "Zürich", "zip": "8000"}}"#, "null", #"{"address": null}"#]))"#,
            #""lines": \#(pick([#"[{"sku": "S-1", "quantity": 2}, {"sku": null}]"#, "[]", "null"]))"#,
            #""extra": {"ignored": [1, 2, {"x": null}]}"#,
        ]
        members.removeLast(n % 2)
        let rotated = Array(members[(n % 5)...] + members[..<(n % 5)])
        let kept = rotated.enumerated().filter { $0.element.hasPrefix(#""id""#) || ($0.offset + n) % 7 != 0 }.map(\.element)
        return "{\(kept.joined(separator: ", "))}"
    }

    @Test func malformedPageNamesArtifactAndOffset() {
        let json = #"{"count": 1, "page": 1, "next": null, "results": [{"id": "ORD-1", "total": 01}]}"#
        #expect {
            try orderRows(artifact(json, id: "page-7"))
        } throws: { error in
            let text = String(describing: error)
            return error is ParseError && text.contains("page-7") && text.contains("byte offset 76")
        }
    }

    @Test func wrongTypeNamesArtifactAndPath() {
        let json = #"{"count": 1, "page": 1, "next": null, "results": [{"id": "ORD-1", "customer": {"id": true}}]}"#
        #expect {
            try orderRows(artifact(json, id: "page-8"))
        } throws: { error in
            let text = String(describing: error)
            return error is ParseError && text.contains("page-8") && text.contains("results[0].customer.id")
        }
    }
}

/// acme_portal's order rows of an artifact, the first rejected order thrown as a `ParseError`.
func orderRows(_ artifact: StoredArtifact) throws -> [OrderRow] {
    try ParsedItem.rows(AcmePortalSource.parseOrders(artifact), artifactId: artifact.artifactId)
}
