import AcmePortal
import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// Issue 20 item 1 as the issue tried it: acme_portal.orders against a local page server whose page 2 of 2
/// answers 200 with an error (or says it is the last) while `count` says 4.
extension AcmeMessyInputTests {
    @Test(arguments: WarehouseKind.allCases)
    func aSecondPageAnswering200WithAnErrorFailsTheRunAndLoadsNothing(_ kind: WarehouseKind) async throws {
        let api = try await API { page, base in
            page == 1 ? .json(Self.page(1, 0..<2, count: 4, next: "\(base)/v1/orders?page=2"))
                : .json(#"{"error": {"code": "rate_limited", "message": "Too many requests for this key"}, "count": 4, "next": null, "results": []}"#)
        }
        defer { Task { await api.stop() } }
        let (report, test) = try await run(kind, api)
        #expect(report.status == "failed")
        let error = try #require(report.error)
        #expect(error.contains("\(api.baseURL)/v1/orders?page=2 answered 200 with an error at \"error\""), "\(error)")
        #expect(error.contains("Too many requests for this key (rate_limited)"), "\(error)")
        #expect(await api.requests > 2, "page 2 was retried")
        #expect(try await test.count(of: "acme_portal.orders") == 0)
    }

    @Test(arguments: WarehouseKind.allCases)
    func aLastPageShortOfTheAPIsCountFailsTheRunNamingBoth(_ kind: WarehouseKind) async throws {
        let api = try await API { page, base in
            .json(Self.page(page, page == 1 ? 0..<2 : 2..<3, count: 4, next: page == 1 ? "\(base)/v1/orders?page=2" : nil))
        }
        defer { Task { await api.stop() } }
        let (report, test) = try await run(kind, api)
        #expect(report.status == "failed")
        #expect(report.error?.contains("the API's total at \"count\" is 4 record(s), but the run read 3 in 2 page(s)") == true, "\(report.error ?? "")")
        #expect(try await test.count(of: "acme_portal.orders") == 0)
    }
}
