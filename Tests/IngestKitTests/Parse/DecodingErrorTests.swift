import Foundation
import IngestKit
import Testing

/// Decoding errors a user sees speak in JSON terms, the path and the expected type, never in Swift's
/// container names, with either decoder (issue 11, item 8).
@Suite struct DecodingErrorTests {
    struct Page: Decodable {
        var results: [Item]
        struct Item: Decodable {
            var id: String
            var count: Int?
            var price: Decimal?
            var active: Bool?
            var tags: [String]?
            var customer: Customer?
        }
        struct Customer: Decodable { var email: String? }
    }

    static let cases: [(json: String, says: String)] = [
        (#"{"results": null}"#, "expected an array at results but found null"),
        (#"{"results": {"id": "a"}}"#, "expected an array at results but found an object"),
        (#"{"results": "none"}"#, "expected an array at results but found a string"),
        (#"{"results": [null]}"#, "expected an object at results[0] but found null"),
        (#"{"results": [7]}"#, "expected an object at results[0] but found a number"),
        (#"{"results": [{"id": 5}]}"#, "expected a string at results[0].id but found a number"),
        (#"{"results": [{"id": null}]}"#, "expected a string at results[0].id but found null"),
        (#"{"results": [{"id": "a"}, {"id": "b", "count": "3"}]}"#, "expected an integer at results[1].count but found a string"),
        (#"{"results": [{"id": "a", "price": "1.50"}]}"#, "expected a number at results[0].price but found a string"),
        (#"{"results": [{"id": "a", "active": "yes"}]}"#, "expected a boolean at results[0].active but found a string"),
        (#"{"results": [{"id": "a", "tags": "x"}]}"#, "expected an array at results[0].tags but found a string"),
        (#"{"results": [{"id": "a", "tags": [1]}]}"#, "expected a string at results[0].tags[0] but found a number"),
        (#"{"results": [{"id": "a", "customer": []}]}"#, "expected an object at results[0].customer but found an array"),
        (#"{"results": [{"name": "a"}]}"#, #"missing key "id" at results[0]"#),
        (#"{"results": [{"id": "a"}]"#, "the artifact is truncated at byte offset 25"),
    ]

    static let decoders: [StoredArtifact.JSONDecoding] = [.ingest, .foundation]

    @Test(arguments: cases)
    func errorsNameThePathAndTheJSONType(_ json: String, _ says: String) throws {
        let artifact = StoredArtifact(bytes: Data(json.utf8), provenance: Provenance(
            artifactId: "page_00004", key: "bronze/x/page_00004.json", sha256: "", size: json.utf8.count, url: "http://127.0.0.1/x",
            contentType: "application/json", extractionMethod: .apiJSON, runId: "test", extractedAt: "2026-01-01T00:00:00Z"))
        // Foundation's decoder (benchmarks and differential tests only) words syntax errors and a Decimal mismatch its own way.
        for decoding in Self.decoders where decoding == .ingest || !(says.hasPrefix("the artifact is") || says.contains("price")) {
            let error = StoredArtifact.$jsonDecoding.withValue(decoding) {
                #expect(throws: ParseError.self) { try artifact.decodeJSON(Page.self) }
            }
            let text = error?.description ?? ""
            #expect(text.contains("artifact page_00004") && text.contains(says), "\(decoding): \(text)")
            for swiftName in ["Container", "Dictionary<", "Array<", "Optional<", "CodingKeys", "Index 0"] {
                #expect(!text.contains(swiftName), "\(decoding): \(text)")
            }
        }
    }
}
