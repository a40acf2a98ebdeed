import Foundation
@testable import IngestKit
import IngestTestSupport
import Testing

/// A first load copies straight into silver and a rerun sends only new and changed rows
/// (issue 12): silver and the counts are those of the staged merge of every row, on both warehouses.
///
/// The staged merge of every row is what a rerun does when it does not compare its rows with
/// silver's checksums (`SilverChecksums.compared` off); the tests turn that off to compare with it.
@Suite struct DirectLoadTests {
    /// Duplicates within an artifact and across artifacts (the last one wins), awkward text, a NULL.
    static let pages = [
        #"{"results": [{"id": "A", "name": "first"}, {"id": "B", "name": "tab\there"}, {"id": "A", "name": "second"}, {"id": "N"}]}"#,
        #"{"results": [{"id": "C", "name": "back\\slash\nnew line"}, {"id": "A", "name": "last"}, {"id": "B", "name": "b again"}]}"#,
        #"{"results": [{"id": "D", "name": "ünïcødé"}, {"id": "C", "name": "c last"}]}"#,
    ]

    /// `readSilver: false` sends every winner to the merge; otherwise silver's checksums are compared
    /// 7 rows a statement on PostgreSQL, so that an artifact takes several, and a first load copies each
    /// artifact with a `COPY` of its own. `filterBits`: the size of a first load's key filter on PostgreSQL.
    func run(_ test: TestPlatform, _ pages: [String], readSilver: Bool = true, filterBits: Int = KeyFilter.defaultBits) async throws -> RunReport {
        try await SilverChecksums.$compared.withValue(readSilver) {
            try await PostgresCopyLoad.$markRows.withValue(7) {
                try await PostgresCopyLoad.$segmentBytes.withValue(1) {
                    try await KeyFilter.$defaultBits.withValue(filterBits) {
                        try await test.withWarehouse { warehouse in
                            await Pipeline(platform: test.platform, warehouse: warehouse).run(ItemsDataset.make(pages: pages))
                        }
                    }
                }
            }
        }
    }

    /// Silver's rows but the seed row, without `ingested_at` and with the bronze path's file name only
    /// (the run id in the path differs between platforms).
    func silver(_ test: TestPlatform) async throws -> [String: [String: String?]] {
        try await test.withWarehouse { warehouse in
            let rows = try await warehouse.execute("SELECT * FROM fixture.items WHERE id <> 'seed' ORDER BY id")
            return Dictionary(uniqueKeysWithValues: rows.map { row in
                var values: [String: String?] = [:]
                for (column, value) in zip(row.columns, row.values) where column != "ingested_at" {
                    values[column] = column == "bronze_object_path" ? value.map { ($0 as NSString).lastPathComponent } : value
                }
                return (row["id"]!, values)
            })
        }
    }

    func counts(_ report: RunReport) -> [Int] {
        let c = report.counts
        return [c.parsed, c.duplicates, c.inserted, c.updated, c.unchanged, c.sanitized, c.rejected]
    }

    /// A silver table that is not empty (so the load takes the staged path) and holds none of the run's keys.
    func seeded(_ kind: WarehouseKind) async throws -> TestPlatform {
        let test = try await TestPlatform.make(kind)
        let seed = try await run(test, [#"{"results": [{"id": "seed", "name": "seed"}]}"#])
        #expect(seed.status == "succeeded" && seed.counts.inserted == 1, "\(seed.error ?? "")")
        return test
    }

    @Test(arguments: WarehouseKind.allCases)
    func firstLoadIntoAnEmptyTableMatchesTheStagedMerge(_ kind: WarehouseKind) async throws {
        let direct = try await TestPlatform.make(kind)
        let first = try await run(direct, Self.pages)
        #expect(first.status == "succeeded", "\(first.error ?? "")")
        #expect(counts(first) == [9, 4, 5, 0, 0, 0, 0], "parsed, duplicates, inserted, updated, unchanged, sanitized, rejected")
        let rows = try await silver(direct)
        #expect(rows["A"]?["name"] == .some("last") && rows["B"]?["name"] == .some("b again") && rows["C"]?["name"] == .some("c last"))
        #expect(rows["C"]?["bronze_object_path"] == .some("page_3.json"), "the whole last row wins")
        #expect(rows["N"]?["name"] == .some(nil))

        for readSilver in [false, true] {
            let staged = try await seeded(kind)
            let report = try await run(staged, Self.pages, readSilver: readSilver)
            #expect(report.status == "succeeded", "\(report.error ?? "")")
            #expect(counts(report) == counts(first), "same counts as the staged merge (reading silver: \(readSilver))")
            #expect(try await silver(staged) == rows, "same silver as the staged merge (reading silver: \(readSilver))")
        }

        // The direct load's rows hash as a rerun reads them back: an identical rerun changes nothing.
        let again = try await run(direct, Self.pages)
        #expect(counts(again) == [9, 4, 0, 0, 5, 0, 0])
    }

    /// A rerun of `itemPages(count: 300)`: 10% changed, one new key, and a changed row followed by its
    /// unchanged original (the original wins), then page 0 again.
    static var rerunPages: [String] {
        itemPages(count: 300, changed: Set(stride(from: 0, to: 300, by: 10)))
            + [#"{"results": [{"id": "I5", "name": "changed, then back"}, {"id": "NEW", "name": "new"}]}"#, itemPages(count: 300)[0]]
    }

    @Test(arguments: WarehouseKind.allCases)
    func rerunsSendingOnlyChangedRowsCountAsTheUpsert(_ kind: WarehouseKind) async throws {
        let rerun = Self.rerunPages
        var results: [([Int], [String: [String: String?]])] = []
        for readSilver in [true, false] {
            let test = try await TestPlatform.make(kind)
            let first = try await run(test, itemPages(count: 300))
            #expect(first.counts.inserted == 300, "\(first.error ?? "")")
            let identical = try await run(test, itemPages(count: 300), readSilver: readSilver)
            #expect(counts(identical) == [300, 0, 0, 0, 300, 0, 0])
            let report = try await run(test, rerun, readSilver: readSilver)
            #expect(report.status == "succeeded", "\(report.error ?? "")")
            // 302 + 50 parsed; page 0 again: its 50 rows are duplicates of the first page's (0…49) and win;
            // of keys 0…49 the changed 0,10,…,40 go back to their original (unchanged), I5's change is undone.
            #expect(counts(report) == [352, 51, 1, 25, 275, 0, 0], "parsed, duplicates, inserted, updated, unchanged (reading silver: \(readSilver))")
            let rows = try await silver(test)
            #expect(rows["I10"]?["name"] == .some("item 10"), "the last row of a key wins")
            #expect(rows["I50"]?["name"] == .some("item 50 changed"))
            #expect(rows["NEW"]?["name"] == .some("new"))
            results.append((counts(report), rows))
        }
        #expect(results[0].0 == results[1].0 && results[0].1 == results[1].1, "same counts and silver whether silver's checksums are read or not")
    }

    /// With the SQL log on, what the load sends is visible: an identical rerun sends no row, a rerun
    /// with changed rows sends those rows only (SQLite logs each insert; PostgreSQL's COPY is not logged,
    /// but its staging table and merge are).
    @Test(arguments: WarehouseKind.allCases)
    func anIdenticalRerunSendsNothingAndAChangedOneOnlyItsRows(_ kind: WarehouseKind) async throws {
        let base = try await TestPlatform.make(kind)
        #expect(try await run(base, itemPages(count: 200)).counts.inserted == 200)
        let log = base.home + "/sql.log"
        let test = try base.with(["INGEST_SQL_LOG": log])

        let identical = try await run(test, itemPages(count: 200))
        #expect(counts(identical) == [200, 0, 0, 0, 200, 0, 0])
        let afterIdentical = try String(contentsOfFile: log, encoding: .utf8)
        #expect(!afterIdentical.contains("INSERT INTO \"fixture\".\"items\""), "no row sent to silver")
        #expect(!afterIdentical.contains("ingest_stage"), "no staging table")

        let changed: Set<Int> = [3, 77, 150]
        let report = try await run(test, itemPages(count: 200, changed: changed))
        #expect(counts(report) == [200, 0, 0, 3, 197, 0, 0])
        let statements = try String(contentsOfFile: log, encoding: .utf8).dropFirst(afterIdentical.count)
        switch kind {
        case .sqlite:
            let inserts = statements.components(separatedBy: ";\n").filter { $0.hasPrefix("INSERT INTO \"fixture\".\"items\"") }
            let sent = inserts.joined().components(separatedBy: "('I").dropFirst().map { String($0.prefix { $0 != "'" }) }
            #expect(sent.sorted() == ["150", "3", "77"], "only the changed rows are sent: \(sent)")
        case .postgres:
            #expect(statements.contains("CREATE TEMP TABLE \"ingest_stage\""))
            #expect(statements.contains("WITH merged AS"))
        }
    }

    /// Artifacts larger than one statement's batch (500 rows): a key's last row wins across artifacts and
    /// across batches, on a first load and on a rerun, with the counts of the upsert.
    @Test(arguments: WarehouseKind.allCases)
    func largeArtifactsKeepTheLastRowOfEachKeyAcrossBatches(_ kind: WarehouseKind) async throws {
        // One artifact of 1,200 rows (every 7th changed), then the original rows 600…1199 again: those win.
        let pages = itemPages(count: 1_200, pageSize: 1_200, changed: Set(stride(from: 0, to: 1_200, by: 7)))
            + [itemPages(count: 1_200, pageSize: 600)[1]]
        let direct = try await TestPlatform.make(kind)
        let first = try await run(direct, pages)
        #expect(counts(first) == [1_800, 600, 1_200, 0, 0, 0, 0], "parsed, duplicates, inserted, updated, unchanged: \(first.error ?? "")")
        var rows = try await silver(direct)
        #expect(rows.count == 1_200)
        #expect(rows["I7"]?["name"] == .some("item 7 changed") && rows["I602"]?["name"] == .some("item 602"), "the last row of a key wins")

        let rerun = try await TestPlatform.make(kind)
        #expect(try await run(rerun, itemPages(count: 1_200, pageSize: 1_200)).counts.inserted == 1_200)
        let report = try await run(rerun, pages)
        // Keys 0…599 from the first artifact: 0, 7, …, 595 changed (86); keys 600…1199 are the originals.
        #expect(counts(report) == [1_800, 600, 0, 86, 1_114, 0, 0], "parsed, duplicates, inserted, updated, unchanged: \(report.error ?? "")")
        // Same names as the first load of the same pages (rows left unchanged keep the first run's bronze path).
        let names = try await silver(rerun).mapValues { $0["name"] ?? nil }
        #expect(names == rows.mapValues { $0["name"] ?? nil }, "same rows as the first load of the same pages")
    }

    /// Reruns whose key filter cannot tell keys apart (64 bits): on PostgreSQL nearly every winner goes through
    /// the repeats table and is resolved at the end against the keys met before it. Same counts and silver as
    /// the default filter, whether silver's checksums are compared or every winner goes to the merge.
    @Test(arguments: WarehouseKind.allCases)
    func rerunsWhoseKeyFilterSaysMaybeForEveryKeyCountAsTheUpsert(_ kind: WarehouseKind) async throws {
        let rerun = Self.rerunPages
        var results: [([Int], [String: [String: String?]])] = []
        for (bits, readSilver) in [(KeyFilter.defaultBits, true), (64, true), (64, false)] {
            let test = try await TestPlatform.make(kind)
            #expect(try await run(test, itemPages(count: 300)).counts.inserted == 300)
            let identical = try await run(test, itemPages(count: 300), readSilver: readSilver, filterBits: bits)
            #expect(counts(identical) == [300, 0, 0, 0, 300, 0, 0], "filter of \(bits) bits, reading silver: \(readSilver)")
            let report = try await run(test, rerun, readSilver: readSilver, filterBits: bits)
            #expect(report.status == "succeeded", "\(report.error ?? "")")
            #expect(counts(report) == [352, 51, 1, 25, 275, 0, 0], "filter of \(bits) bits, reading silver: \(readSilver)")
            let rows = try await silver(test)
            #expect(rows["I10"]?["name"] == .some("item 10") && rows["I5"]?["name"] == .some("item 5"), "the last row of a key wins")
            #expect(rows["I50"]?["name"] == .some("item 50 changed") && rows["NEW"]?["name"] == .some("new"))
            results.append((counts(report), rows))
        }
        #expect(results[1].0 == results[0].0 && results[1].1 == results[0].1 && results[2].1 == results[0].1,
                "same counts and silver with either filter")
    }

    /// A first load whose key filter cannot tell keys apart (64 bits: nearly every key is a "maybe"), so on
    /// PostgreSQL nearly every row goes through the repeats table: same silver and counts as with the default
    /// filter and as the staged merge of every row, with duplicates within an artifact and across artifacts.
    @Test(arguments: WarehouseKind.allCases)
    func aFirstLoadWhoseKeyFilterSaysMaybeForEveryKeyMatchesTheStagedMerge(_ kind: WarehouseKind) async throws {
        // Every 3rd item changed, then page 2 (items 100…149) again unchanged: those originals win.
        let pages = Self.pages + itemPages(count: 300, changed: Set(stride(from: 0, to: 300, by: 3))) + [itemPages(count: 300)[2]]
        var results: [([Int], [String: [String: String?]])] = []
        for bits in [KeyFilter.defaultBits, 64] {
            let test = try await TestPlatform.make(kind)
            let report = try await run(test, pages, filterBits: bits)
            #expect(report.status == "succeeded", "\(report.error ?? "")")
            #expect(counts(report) == [359, 54, 305, 0, 0, 0, 0], "parsed, duplicates, inserted, updated, unchanged (filter of \(bits) bits)")
            let rows = try await silver(test)
            #expect(rows.count == 305)
            #expect(rows["A"]?["name"] == .some("last") && rows["C"]?["bronze_object_path"] == .some("page_3.json"), "the whole last row wins")
            #expect(rows["I3"]?["name"] == .some("item 3 changed") && rows["I102"]?["name"] == .some("item 102")
                    && rows["I102"]?["bronze_object_path"] == .some("page_10.json"), "the last row of a key wins (filter of \(bits) bits)")
            results.append((counts(report), rows))
        }
        let staged = try await seeded(kind)
        let report = try await run(staged, pages, readSilver: false)
        #expect(counts(report) == results[0].0, "same counts as the staged merge")
        results.append((counts(report), try await silver(staged)))
        #expect(results[0].1 == results[1].1 && results[0].1 == results[2].1, "same silver with either filter and the staged merge")
    }

    /// Keys holding what an array literal or a COPY line treats specially (quotes, backslashes, commas, braces,
    /// blanks, the word NULL, a tab): a rerun finds each in silver and compares its checksum exactly.
    @Test(arguments: WarehouseKind.allCases)
    func awkwardKeysAreMetAndComparedExactlyOnARerun(_ kind: WarehouseKind) async throws {
        // Each key as JSON writes it, and as silver holds it.
        let keys: [(json: String, stored: String)] = [
            (#"a\"b"#, "a\"b"), (#"c\\d"#, "c\\d"), ("e,f", "e,f"), ("{g}", "{g}"), ("NULL", "NULL"), ("h i", "h i"),
            ("ü", "ü"), (#"i\tj"#, "i\tj"), ("k}", "k}"), (#"\\"#, "\\"),
        ]
        func page(_ suffix: String) -> String {
            #"{"results": ["# + keys.enumerated().map { #"{"id": "\#($1.json)", "name": "n\#($0)\#(suffix)"}"# }.joined(separator: ", ") + "]}"
        }
        let test = try await TestPlatform.make(kind)
        let first = try await run(test, [page("")])
        #expect(counts(first) == [10, 0, 10, 0, 0, 0, 0], "\(first.error ?? "")")
        #expect(Set(try await silver(test).keys) == Set(keys.map(\.stored)))
        let identical = try await run(test, [page("")])
        #expect(counts(identical) == [10, 0, 0, 0, 10, 0, 0], "every awkward key found unchanged: \(identical.error ?? "")")
        let changedFirst = try await run(test, [page(" changed"), page("")])
        #expect(counts(changedFirst) == [20, 10, 0, 0, 10, 0, 0], "the later page wins, so nothing changes: \(changedFirst.error ?? "")")
        let changedLast = try await run(test, [page(""), page(" changed")])
        #expect(counts(changedLast) == [20, 10, 0, 10, 0, 0, 0], "\(changedLast.error ?? "")")
        let rows = try await silver(test)
        #expect(Set(rows.keys) == Set(keys.map(\.stored)))
        #expect(rows.values.allSatisfy { ($0["name"] ?? nil)?.hasSuffix(" changed") == true })
    }
}
