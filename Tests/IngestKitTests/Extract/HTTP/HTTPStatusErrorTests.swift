import Foundation
@testable import IngestKit
import Testing

/// A status retrying will not fix becomes an error that says what the server said, whole, and the fix.
@Suite struct HTTPStatusErrorTests {
    @Test func aJSONErrorIsQuotedByItsMessageAndAGivenFixIsKept() {
        let body = Data(#"{"error": "no recorded artifact answers GET /v1/items?page=3", "recorded": ["GET /v1/items?page=1"], "fix": "record the run again with `ingestctl record`"}"#.utf8)
        let error = HTTPStatusError(status: 404, request: "GET http://127.0.0.1:1/v1/items?page=3", body: body).ingestError(fix: nil, reauthorized: false)
        #expect(error.message == "GET http://127.0.0.1:1/v1/items?page=3 answered 404 (not found): no recorded artifact answers GET /v1/items?page=3")
        #expect(error.fix == "record the run again with `ingestctl record`")
    }

    @Test func aJSONAPIErrorsListIsQuotedByItsFirstDetail() {
        let body = Data(#"{"errors": [{"status": "422", "title": "Invalid filter", "detail": "filter[updated_since] must be a date"}]}"#.utf8)
        let error = HTTPStatusError(status: 422, request: "GET https://api.example/v1/orders", body: body).ingestError(fix: nil, reauthorized: false)
        #expect(error.message.hasSuffix("answered 422: filter[updated_since] must be a date"), "\(error.message)")
        #expect(error.fix == "check the request the source sends")
    }

    @Test func aLongTextBodyIsCutAtAWordAndSaysSo() {
        let words = (1...200).map { "word\($0)" }.joined(separator: " ")
        let error = HTTPStatusError(status: 404, request: "GET https://api.example/x", body: Data(words.utf8)).ingestError(fix: nil, reauthorized: false)
        let said = String(error.message.split(separator: ": ", maxSplits: 1)[1])
        #expect(said.hasSuffix(" …"), "\(said)")
        let lastWord = said.dropLast(2).split(separator: " ").last.map(String.init) ?? ""
        #expect(words.split(separator: " ").map(String.init).contains(lastWord), "cut between words, not inside one: \(lastWord)")
        #expect(said.count <= 302)
        #expect(error.fix == "check the source's base URL and path")
    }
}
