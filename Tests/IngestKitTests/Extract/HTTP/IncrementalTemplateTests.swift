import Foundation
@testable import IngestKit
import IngestTestSupport
import Testing

/// A Socrata-style API (bare JSON arrays, `$limit`/`$offset`, `$where` with a floating timestamp) and a
/// JSON:API-style filter, served on loopback: the window's start goes into the parameter the API wants,
/// and paging stops at the short page without asking for an empty one.
@Suite struct IncrementalTemplateTests {
    let fast = HTTPLimits(timeout: .seconds(60), retry: fastRetry)
    let runTime = ISO8601DateFormatter().date(from: "2025-03-31T12:00:00Z")!

    /// 23 permits, one a day from 2025-03-01T06:30:00; the server applies `$where` itself and refuses what it cannot read.
    static func permits(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response {
        guard let offset = Int(request.query["$offset"] ?? ""), let limit = Int(request.query["$limit"] ?? ""), limit > 0,
              let filter = request.query["$where"], filter.hasPrefix(":updated_at > '"), filter.hasSuffix("'") else {
            return .json(#"{"message": "bad query"}"#, status: 400)
        }
        let since = String(filter.dropFirst(":updated_at > '".count).dropLast())
        // Socrata's floating timestamp: no zone, milliseconds.
        guard since.count == 23, since.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$"#, options: .regularExpression) != nil else {
            return .json(#"{"message": "bad timestamp"}"#, status: 400)
        }
        let all = (1...23).map { day in (id: "P\(day)", updated: String(format: "2025-03-%02dT06:30:00.000", day)) }
        let matching = all.filter { $0.updated > since }
        let slice = matching.dropFirst(offset).prefix(limit)
        let body = "[" + slice.map { #"{"permit_number": "\#($0.id)", ":updated_at": "\#($0.updated)"}"# }.joined(separator: ",") + "]"
        return .json(body)
    }

    @Test func socrataWhereClauseAndShortPageStop() async throws {
        let server = try await TestServer.start { request, _, _ in Self.permits(request) }
        defer { Task { await server.stop() } }
        let extractor = RESTExtractor(
            baseURL: server.baseURL, path: "/resource/permits.json",
            paginator: .offset(offsetParameter: "$offset", limitParameter: "$limit", limit: 5),
            incremental: IncrementalWindow(parameter: "$where", format: .pattern("yyyy-MM-dd'T'HH:mm:ss.SSS"),
                                           template: ":updated_at > '{since}'"),
            limits: fast)
        // Watermark 2025-03-10: the window starts there (older than the 7-day lookback).
        let artifacts = try await extractAll(extractor, testContext(lastWatermark: "2025-03-10", runTime: runTime))
        let requests = await server.requests
        #expect(requests.allSatisfy { $0.query["$where"] == ":updated_at > '2025-03-10T00:00:00.000'" }, "\(requests.map(\.query))")
        // 14 permits after the 10th: pages of 5, 5, 4; the short third page ends it (no fourth, empty request).
        #expect(requests.map { $0.query["$offset"] ?? "" } == ["0", "5", "10"])
        #expect(artifacts.count == 3)
        let ids = try artifacts.flatMap { try (JSONSerialization.jsonObject(with: $0.bytes) as! [[String: Any]]).map { $0["permit_number"] as! String } }
        #expect(ids == (10...23).map { "P\($0)" })
    }

    @Test func pageNumberWithAKnownSizeStopsAtTheShortPageOfABareArray() async throws {
        let server = try await TestServer.start { request, _, _ in
            guard let page = Int(request.query["page"] ?? ""), request.query["filter[updated_since]"] == "2025-03-24" else {
                return .json(#"{"message": "bad query"}"#, status: 400)
            }
            let ids = (0..<12).map { "I\($0)" }.dropFirst((page - 1) * 5).prefix(5)   // the API's own page size: 5
            return .json("[" + ids.map { #"{"id": "\#($0)"}"# }.joined(separator: ",") + "]")
        }
        defer { Task { await server.stop() } }
        let extractor = RESTExtractor(
            baseURL: server.baseURL, path: "/items", paginator: .pageNumber(size: 5),
            incremental: IncrementalWindow(parameter: "filter[updated_since]"), limits: fast)
        // A recent watermark: the window is the 7-day lookback, written as the watermark is (a date).
        let artifacts = try await extractAll(extractor, testContext(lastWatermark: "2025-03-30", runTime: runTime))
        #expect(await server.requests.map { $0.query["page"] ?? "" } == ["1", "2", "3"], "the third page has 2 records: the last")
        #expect(artifacts.count == 3)
    }

    /// Written the obvious way, `IncrementalWindow(parameter:)` loads everything on a first run, and then writes the
    /// window's start as the watermark is: a timestamp watermark gives a timestamp, a date one a date.
    @Test func theDefaultWindowLoadsEverythingFirstAndThenFollowsTheWatermarksFormat() async throws {
        let server = try await TestServer.start { _, _, _ in .json(#"[{"id": "I1"}]"#) }
        defer { Task { await server.stop() } }
        let extractor = RESTExtractor(baseURL: server.baseURL, path: "/items", incremental: IncrementalWindow(parameter: "filter[updated_since]"),
                                      limits: fast)
        _ = try await extractAll(extractor, testContext(runTime: runTime))
        _ = try await extractAll(extractor, testContext(lastWatermark: "2025-03-10T08:09:10Z", runTime: runTime))
        _ = try await extractAll(extractor, testContext(lastWatermark: "2025-03-10", runTime: runTime))
        let sent = await server.requests.map { $0.query["filter[updated_since]"] }
        #expect(sent == [nil, "2025-03-10T08:09:10Z", "2025-03-10"], "\(sent)")
        // The lookback-only first run is a choice: `fullLoadFirst: false`.
        let lookbackOnly = IncrementalWindow(parameter: "since", fullLoadFirst: false)
        #expect(try lookbackOnly.start(runTime: runTime, lookbackDays: 7, lastWatermark: nil).map { CalendarDate($0).description } == "2025-03-24")
    }

    @Test func formatsTheAPIWants() throws {
        let start = try #require(ISO8601DateFormatter().date(from: "2025-03-10T08:09:10Z"))
        #expect(IncrementalWindow(format: .date).formatted(start) == "2025-03-10")
        #expect(IncrementalWindow(format: .dateTime).formatted(start) == "2025-03-10T08:09:10Z")
        #expect(IncrementalWindow(format: .unixSeconds).formatted(start) == "1741594150")
        #expect(IncrementalWindow(format: .unixMilliseconds).formatted(start) == "1741594150000")
        #expect(IncrementalWindow(format: .pattern("yyyyMMdd HH:mm")).formatted(start) == "20250310 08:09")
    }

    @Test func aTemplateWithoutSinceIsRefusedBeforeAnyRequest() async throws {
        let server = try await TestServer.start { _, _, _ in .json("[]") }
        defer { Task { await server.stop() } }
        let extractor = RESTExtractor(baseURL: server.baseURL, path: "/items",
                                      incremental: IncrementalWindow(parameter: "$where", template: ":updated_at > 'since'"), limits: fast)
        do {
            _ = try await extractAll(extractor, testContext(runTime: runTime))
            Issue.record("expected an error")
        } catch let error as IngestError {
            #expect(error.message.contains("\"$where\" has no {since}"), "\(error.message)")
            #expect(error.fix?.contains("{since}") == true)
        }
        #expect(await server.requests.isEmpty)
    }
}
