import Foundation
@testable import IngestKit
import IngestTestSupport
import Testing

/// Issue 20 item 2: keys the item type reads that are absent (not null) from every item of a run are drift too,
/// reported by name in the summary, the report, the ledger's drift and the runs page; a run that would set stored
/// values to NULL because of them does not commit unless the dataset declares `vanishedKeys: .load`.
@Suite struct VanishedKeysTests {
    struct Contact: Decodable, Sendable { var id: String; var email: String?; var phone: String?; var city: String? }

    static func dataset(_ page: String, vanishedKeys: VanishedKeyPolicy = .fail) -> Dataset {
        Dataset(source: "fixture", "contacts",
                columns: [Column("id", \Contact.id, primaryKey: true), Column("email", \.email), Column("phone", \.phone), Column("city", \.city)],
                extractor: PagesExtractor(pages: [page]), parse: .records(at: "results"), vanishedKeys: vanishedKeys)
    }

    static let first = #"{"results": [{"id": "1", "email": "a@example.com", "phone": "111", "city": "Oslo"}, "#
        + #"{"id": "2", "email": "b@example.com", "phone": "222", "city": null}, {"id": "3", "email": "c@example.com", "phone": null, "city": "Rome"}]}"#
    /// Upstream renamed `email` and `phone`: every item lacks them (and carries the new names).
    static let renamed = #"{"results": [{"id": "1", "email_address": "a@example.com", "phone_number": "111", "city": "Oslo"}, "#
        + #"{"id": "2", "email_address": "b@example.com", "phone_number": "222", "city": null}, {"id": "3", "email_address": "c@example.com", "city": "Rome"}]}"#

    static func contacts(_ test: TestPlatform) async throws -> [String: ResultRow] { try await test.rows(of: "fixture.contacts", by: "id") }

    static func ledgerRow(_ test: TestPlatform, _ runId: String) async throws -> RunRecord? {
        try await test.withWarehouse { try await RunLedger($0.dialect).record(runId: runId, in: $0) }
    }

    @Test(arguments: WarehouseKind.allCases)
    func renamedKeysFailTheRunNamingThemAndTheValuesItWouldBlank(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        let loaded = try await test.run(Self.dataset(Self.first))
        #expect(loaded.succeeded && loaded.counts.inserted == 3, "\(loaded.error ?? "")")
        #expect(loaded.drift.isEmpty, "every key read was there (a null city is there): \(loaded.drift)")

        let run = try await test.run(Self.dataset(Self.renamed))
        #expect(!run.succeeded)
        let error = run.error ?? ""
        #expect(error.contains("keys the item type reads vanished from every item of run \(run.runId) (absent, not null): email, phone; "
                               + "loading it would set 5 stored value(s) of fixture.contacts to NULL: column email in 3 row(s) (id 1; 2; 3), "
                               + "column phone in 2 row(s) (id 1; 2); "
                               + "nothing was loaded"), "\(error)")
        #expect(error.contains("declare the dataset with vanishedKeys: .load"), "\(error)")
        let rows = try await Self.contacts(test)
        #expect(rows["1"]?["email"] == "a@example.com" && rows["2"]?["phone"] == "222", "silver keeps what it held")

        // The keys by name: report, summary, ledger, runs page.
        let vanished = run.drift.filter(\.vanished)
        #expect(vanished.map(\.path) == ["email", "phone"] && vanished.allSatisfy { $0.count == 3 }, "\(run.drift)")
        #expect(run.summary.contains("drift: email (vanished from 3 items), phone (vanished from 3 items)"), "\(run.summary)")
        let json = try #require(try JSONSerialization.jsonObject(with: try run.json()) as? [String: Any])
        let drift = try #require(json["drift"] as? [[String: Any]])
        #expect(drift.filter { $0["vanished"] as? Bool == true }.map { $0["path"] as? String } == ["email", "phone"], "\(drift)")
        let record = try #require(try await Self.ledgerRow(test, run.runId))
        #expect(record.status == .failed && record.drift.filter(\.vanished).map(\.path) == ["email", "phone"], "\(record.drift)")
        let page = RunPage.drift(record)
        #expect(page.contains(#"<tr data-path="email" data-vanished="true">"#) && page.contains("vanished: absent from every item"), "\(page)")
    }

    @Test(arguments: WarehouseKind.allCases)
    func vanishedKeysLoadWhenTheDatasetAcceptsItAndTheSummarySaysHowManyValues(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        #expect(try await test.run(Self.dataset(Self.first)).succeeded)

        let accepted = try await test.run(Self.dataset(Self.renamed, vanishedKeys: .load))
        #expect(accepted.succeeded, "\(accepted.error ?? "")")
        #expect(accepted.counts.updated == 3)
        #expect(accepted.summary.contains("notice: keys email, phone vanished from every item of run \(accepted.runId): 5 stored value(s) set to NULL "
                                          + "(column email in 3 row(s), column phone in 2 row(s)), accepted by vanishedKeys: .load"), "\(accepted.summary)")
        #expect(accepted.summary.contains("schema drift in fixture.contacts: 2 keys the item type reads vanished from every item (absent, not null): "
                                          + "email (3 items), phone (3 items)"), "\(accepted.summary)")
        let rows = try await Self.contacts(test)
        #expect(rows["1"]?["email"] == nil && rows["1"]?["city"] == "Oslo")

        // Nothing left to blank: the keys are still reported, and the run goes on under the default policy.
        let again = try await test.run(Self.dataset(Self.renamed))
        #expect(again.succeeded, "\(again.error ?? "")")
        #expect(again.drift.filter(\.vanished).map(\.path) == ["email", "phone"])
        #expect(!again.summary.contains("set to NULL"), "\(again.summary)")
    }

    /// `null` is a value, not a vanished key: an API that nulls a field in every item changes the rows, as before.
    @Test(arguments: WarehouseKind.allCases)
    func nullInEveryItemIsNotAVanishedKey(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        #expect(try await test.run(Self.dataset(Self.first)).succeeded)
        let nulled = #"{"results": [{"id": "1", "email": null, "phone": "111", "city": "Oslo"}, {"id": "2", "email": null, "phone": "222", "city": null}]}"#
        let run = try await test.run(Self.dataset(nulled))
        #expect(run.succeeded, "\(run.error ?? "")")
        #expect(run.drift.isEmpty, "\(run.drift)")
        #expect(try await Self.contacts(test)["1"]?["email"] == nil)
    }
}
