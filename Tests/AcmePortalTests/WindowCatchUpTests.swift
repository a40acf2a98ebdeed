@testable import AcmePortal
import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// Windowed runs never skip an interval: after failed windows, the next run reads from where the
/// last succeeded window ended (what a scheduler with `catchup=False` would silently leave out).
@Suite struct WindowCatchUpTests {
    static let token = "acme-catch-up-token-41c2"
    let registry = SourceRegistry([AcmePortalSource()])

    /// Answers like the demo API, or refuses every request (401) while `failing` is set.
    actor Outage {
        var failing = false
        func set(_ value: Bool) { failing = value }
    }

    func window(_ start: String, _ end: String) throws -> ExtractionWindow {
        try #require(try ExtractionWindow.parse(start: start, end: end))
    }

    @Test(arguments: WarehouseKind.allCases)
    func threeFailedIntervalsAreReadByTheNextSuccess(_ kind: WarehouseKind) async throws {
        let api = AcmeDemoAPI(orders: 1200, token: Self.token)
        let outage = Outage()
        let seen = ReceivedRequests()
        let server = try await LoopbackHTTPServer.start { request in
            if await outage.failing { return .json(#"{"detail": "Invalid or missing bearer token."}"#, status: 401) }
            await seen.add(request)
            return api.respond(to: request, baseURL: request.baseURL)
        }
        let test = try await TestPlatform.make(kind, ["ACME_PORTAL_BASE_URL": server.baseURL, "ACME_PORTAL_API_TOKEN": Self.token])
        func run(_ start: String, _ end: String) async throws -> RunReport {
            try await test.platform.run("acme_portal.orders", in: registry, options: RunOptions(window: try window(start, end)))
        }
        func ordersCreated(from start: String, to end: String) -> Int {
            (0..<1200).filter { api.createdAt($0).map { $0 >= start && $0 < end } ?? false }.count
        }

        let first = try await run("2025-01-01", "2025-01-04")
        #expect(first.succeeded, "\(first.error ?? "")")
        #expect(first.counts.parsed == ordersCreated(from: "2025-01-01", to: "2025-01-04"))

        await outage.set(true)
        for (start, end) in [("2025-01-04", "2025-01-07"), ("2025-01-07", "2025-01-10"), ("2025-01-10", "2025-01-13")] {
            let failed = try await run(start, end)
            #expect(!failed.succeeded, "the window \(start) to \(end) should fail while the API refuses")
        }
        await outage.set(false)

        let requestsBefore = await seen.all.count
        let caughtUp = try await run("2025-01-13", "2025-01-16")
        #expect(caughtUp.succeeded, "\(caughtUp.error ?? "")")
        // The three failed intervals and its own: every order created from Jan 4 to Jan 16.
        let expected = ordersCreated(from: "2025-01-04", to: "2025-01-16")
        #expect(expected > ordersCreated(from: "2025-01-13", to: "2025-01-16"))
        #expect(caughtUp.counts.parsed == expected)
        #expect(caughtUp.windowStart == "2025-01-04T00:00:00Z" && caughtUp.windowEnd == "2025-01-16T00:00:00Z")
        #expect(caughtUp.notices.contains { $0.contains("widened back to 2025-01-04T00:00:00Z") }, "\(caughtUp.notices)")
        let asked = try #require(await seen.all.dropFirst(requestsBefore).first?.query)
        #expect(asked["created_from"] == "2025-01-04T00:00:00Z" && asked["created_to"] == "2025-01-16T00:00:00Z")
        let recorded = try await test.withWarehouse {
            try await RunLedger($0.dialect).recent(source: "acme_portal", dataset: "orders", limit: 1, in: $0)
        }
        #expect(recorded.first?.windowStart == "2025-01-04T00:00:00Z")

        // The next interval follows on: nothing to widen.
        let next = try await run("2025-01-16", "2025-01-19")
        #expect(next.succeeded, "\(next.error ?? "")")
        #expect(next.windowStart == "2025-01-16T00:00:00Z")
        #expect(next.counts.parsed == ordersCreated(from: "2025-01-16", to: "2025-01-19"))
        #expect(!next.notices.contains { $0.contains("widened") })

        // A backfill of an earlier interval is not widened either.
        let backfill = try await run("2024-12-29", "2025-01-01")
        #expect(backfill.windowStart == "2024-12-29T00:00:00Z", "\(backfill.notices)")
        await server.stop()
    }
}
