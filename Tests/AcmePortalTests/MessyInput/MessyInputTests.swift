import AcmePortal
import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// Issue 11's data-value faults, each served by a local Acme API and run end to end
/// (`acme_portal.orders`: extract, load, models) on both warehouses, with each kind
/// covered over its family: NUL in every position, numbers of every width, offsets east
/// and west of UTC, every Unicode white space, blank keys, values too long for an index.
@Suite struct MessyInputTests {
    typealias API = MessyOrdersAPI
    let registry = SourceRegistry([AcmePortalSource()])

    func run(_ kind: WarehouseKind, _ pages: [[String]]) async throws -> (TestPlatform, RunReport) {
        let (test, server) = try await API.start(kind, pages: pages)
        let report = try await test.platform.run("acme_portal.orders", in: registry)
        await server.stop()
        return (test, report)
    }

    /// Runs `pages`, then `then` from the same API (same URL); returns both reports.
    func run(_ kind: WarehouseKind, _ pages: [[String]], then next: [[String]]) async throws -> (TestPlatform, RunReport, RunReport) {
        let (test, server) = try await API.start(kind, pages: pages)
        let first = try await test.platform.run("acme_portal.orders", in: registry)
        await server.serve(next)
        let second = try await test.platform.run("acme_portal.orders", in: registry)
        await server.stop()
        return (test, first, second)
    }

    func silver(_ test: TestPlatform) async throws -> [String: ResultRow] {
        try await test.rows(of: "acme_portal.orders", by: "entity_id")
    }

    /// The item indexes of a run's rejected items (`acme_portal.orders__rejects`).
    func rejectedItems(_ test: TestPlatform, _ report: RunReport) async throws -> [Int] {
        try await test.platform.rejects("acme_portal.orders", runId: report.runId, in: registry).map(\.itemIndex)
    }

    func orderCount(_ test: TestPlatform) async throws -> Int {
        let rows = try await test.withWarehouse { try await $0.execute("SELECT count(*) AS n FROM acme_portal.orders") }
        return Int(rows.first?["n"] ?? "") ?? -1
    }

    // MARK: - 1. NUL characters

    /// NUL at the start, middle, end, doubled, alone, in several columns: removed on both warehouses,
    /// the rows counted `sanitized`, and the checksum over the stored value (a rerun without NULs is unchanged).
    @Test(arguments: WarehouseKind.allCases)
    func nulCharactersAreRemovedCountedAndChecksummed(_ kind: WarehouseKind) async throws {
        let cases: [(raw: String, stored: String)] = [
            ("before\u{0}after", "beforeafter"), ("\u{0}leading", "leading"), ("trailing\u{0}", "trailing"),
            ("two\u{0}\u{0}in a row", "twoin a row"), ("\u{0}", ""), ("a\u{0}b\u{0}c\u{0}", "abc"),
            ("caf\u{0}é ü\u{0}😀", "café ü😀"),
        ]
        var items = cases.enumerated().map { index, c in
            API.order("N\(index)", ["description": API.json(c.raw), "name": API.json("name \(index)")])
        }
        items.append(API.order("N-title", ["name": API.json("ti\u{0}tle"), "status": API.json("ship\u{0}ped")]))
        items.append(API.order("N-clean", ["description": API.json("no nul here")]))
        // Then the same orders without any NUL: the checksum was over the stored value, so nothing changes.
        let cleaned = cases.enumerated().map { index, c in
            API.order("N\(index)", ["description": API.json(c.stored), "name": API.json("name \(index)")])
        } + [API.order("N-title", ["name": API.json("title"), "status": API.json("shipped")]),
             API.order("N-clean", ["description": API.json("no nul here")])]
        let (test, report, again) = try await run(kind, [items], then: [cleaned])
        #expect(report.status == "succeeded", "\(report.error ?? "")")
        #expect(report.counts.parsed == cases.count + 2)
        #expect(report.counts.sanitized == cases.count + 1, "every row that had a NUL is counted, the clean one is not")
        #expect(report.summary.contains("\(cases.count + 1) sanitized (NUL characters removed)"), "the printed summary says so")
        #expect(try String(decoding: report.json(), as: UTF8.self).contains("\"sanitized\" : \(cases.count + 1)"), "and the --report JSON")
        let rows = try await silver(test)
        for (index, c) in cases.enumerated() {
            #expect(rows["N\(index)"]?["description"] == c.stored, "case \(index)")
        }
        #expect(rows["N-title"]?["title"] == "title")
        #expect(rows["N-title"]?["status"] == "shipped")
        #expect(again.status == "succeeded", "\(again.error ?? "")")
        #expect(again.counts.unchanged == cases.count + 2)
        #expect(again.counts.updated == 0)
        #expect(again.counts.sanitized == 0)
    }

    /// A dataset that rejects NUL instead: the row is kept in the rejects, the run fails naming the artifact, the item and the column.
    @Test(arguments: WarehouseKind.allCases)
    func aDatasetMayRejectRowsWithNULCharacters(_ kind: WarehouseKind) async throws {
        let items = [API.order("R1", ["description": API.json("fine")]), API.order("R2", ["description": API.json("bad\u{0}value")])]
        let (test, server) = try await API.start(kind, pages: [items])
        let report = try await test.withWarehouse { warehouse in
            await Pipeline(platform: test.platform, warehouse: warehouse).run(rejectingNULOrders)
        }
        await server.stop()
        #expect(report.status == "failed")
        let error = try #require(report.error)
        #expect(error.contains("page_00001"), "names the artifact: \(error)")
        #expect(error.contains("item 2"), "names the item: \(error)")
        #expect(error.contains("entity_id=\"R2\""), "names the key: \(error)")
        #expect(error.contains("column description"), "names the column: \(error)")
        #expect(try await orderCount(test) == 1, "the good row is stored, the refused one is kept in the rejects (issue 9)")
        #expect(try await rejectedItems(test, report) == [2])
    }

    /// A NUL in a primary key is refused under either policy: removing it could merge two orders.
    @Test(arguments: WarehouseKind.allCases)
    func aNULInAPrimaryKeyIsRefused(_ kind: WarehouseKind) async throws {
        let (test, report) = try await run(kind, [[API.order("K\u{0}1"), API.order("K1")]])
        #expect(report.status == "failed")
        let error = try #require(report.error)
        #expect(error.contains("page_00001") && error.contains("item 1") && error.contains("entity_id"), "\(error)")
        #expect(error.contains(#"K\0"#), "the key is shown escaped: \(error)")
        #expect(try await orderCount(test) == 1, "K1 is stored; the refused key is kept in the rejects (issue 9)")
        #expect(try await rejectedItems(test, report) == [1])
    }

    // MARK: - 3. Numbers exact to any length

    /// Every width from 1 to 200 digits, as JSON numbers and as decimal strings, whole, with fractions,
    /// negative and with exponents: stored digit for digit on both warehouses, in silver and in the marts.
    @Test(arguments: WarehouseKind.allCases)
    func numbersOfEveryWidthAreStoredExactly(_ kind: WarehouseKind) async throws {
        var items: [String] = []
        var expected: [String: String] = [:]
        func add(_ id: String, raw: String, asString: Bool, canonical: String) {
            items.append(API.order(id, ["total": asString ? API.json(raw) : raw]))
            expected[id] = canonical
        }
        for width in 1...200 {
            let digits = String((0..<width).map { Character(String(($0 * 7 + width) % 9 + 1)) })  // no zeros: canonical is itself
            add("W\(width)-n", raw: digits, asString: false, canonical: digits)
            add("W\(width)-s", raw: digits, asString: true, canonical: digits)
            add("W\(width)-neg", raw: "-" + digits, asString: width % 2 == 0, canonical: "-" + digits)
            let split = (width + 1) / 2
            let fraction = String(digits.prefix(split)) + "." + String(digits.dropFirst(split)) + (width == 1 ? "1" : "")
            add("W\(width)-frac", raw: fraction, asString: width % 2 == 1, canonical: fraction)
            add("W\(width)-small", raw: "-0." + digits, asString: width % 3 == 0, canonical: "-0." + digits)
            add("W\(width)-exp", raw: digits + "e3", asString: width % 2 == 0, canonical: digits + "000")
            add("W\(width)-nexp", raw: digits + "E-\(width + 2)", asString: width % 2 == 1, canonical: "0.00" + digits)
        }
        let issueTotal = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        add("ISSUE-s", raw: issueTotal, asString: true, canonical: issueTotal)
        add("ISSUE-n", raw: issueTotal, asString: false, canonical: issueTotal)
        add("ZEROS", raw: "000120.5000", asString: true, canonical: "120.5")
        add("PLUS", raw: "+.5", asString: true, canonical: "0.5")
        add("NEGZERO", raw: "-0.000e5", asString: false, canonical: "0")

        let pages = stride(from: 0, to: items.count, by: 250).map { Array(items[$0..<min(items.count, $0 + 250)]) }
        // Then a change in the last digit of the 78-digit total: an update, not "unchanged".
        let changedTotal = String(issueTotal.dropLast()) + "6"
        let changed = pages.map { page in
            page.map { $0 == API.order("ISSUE-s", ["total": API.json(issueTotal)]) ? API.order("ISSUE-s", ["total": API.json(changedTotal)]) : $0 }
        }
        let (test, report, again) = try await run(kind, pages, then: changed)
        #expect(report.status == "succeeded", "\(report.error ?? "")")
        #expect(report.counts.inserted == expected.count)
        #expect(again.status == "succeeded", "\(again.error ?? "")")
        #expect(again.counts.updated == 1)
        #expect(again.counts.unchanged == expected.count - 1)
        expected["ISSUE-s"] = changedTotal
        let rows = try await silver(test)
        for (id, canonical) in expected {
            #expect(rows[id]?["amount"] == canonical, "\(id) is stored digit for digit")
        }
        if kind == .sqlite {
            let types = try await test.withWarehouse {
                try await $0.execute("SELECT DISTINCT typeof(amount) AS t FROM acme_portal.orders WHERE amount IS NOT NULL")
            }
            #expect(types.map { $0["t"] } == ["text"], "SQLite keeps numbers as text, never REAL")
            let martTypes = try await test.withWarehouse {
                try await $0.execute("SELECT DISTINCT typeof(amount) AS t FROM marts.fct_orders WHERE amount IS NOT NULL")
            }
            #expect(martTypes.map { $0["t"] } == ["text"], "the marts' table keeps them as text too")
        }
        let marts = try await test.withWarehouse {
            try await $0.execute("SELECT order_id, amount FROM marts.fct_orders WHERE order_id IN ('ISSUE-s', 'ISSUE-n', 'W200-frac')")
        }
        #expect(marts.count == 3)
        for row in marts { #expect(row["amount"] == expected[row["order_id"] ?? ""], "the marts keep every digit too") }

        #expect(try await silver(test)["ISSUE-s"]?["amount"] == changedTotal)
    }

    // MARK: - 4 and 5. Timestamps

    /// Offsets from UTC−12:00 to UTC+14:00 every 30 minutes, at times on either side of midnight:
    /// created_date is the UTC date of the instant on both warehouses, whatever the offset.
    @Test(arguments: WarehouseKind.allCases)
    func createdDateIsTheUTCDateForEveryOffset(_ kind: WarehouseKind) async throws {
        var items: [String] = []
        var expected: [String: String] = [:]
        let reference = ISO8601DateFormatter()
        for offsetMinutes in stride(from: -12 * 60, through: 14 * 60, by: 30) {
            for time in ["00:15:00", "04:30:00", "23:30:00", "23:59:59.999999"] {
                let sign = offsetMinutes < 0 ? "-" : "+"
                let offset = String(format: "%@%02d:%02d", sign, abs(offsetMinutes) / 60, abs(offsetMinutes) % 60)
                let text = "2024-03-10T\(time)\(offset)"
                let id = "T\(offsetMinutes)-\(time.prefix(5))"
                items.append(API.order(id, ["created_at": API.json(text)]))
                // Foundation's ISO-8601 reading of the same instant, turned into a UTC date, is the reference.
                let instant = try #require(reference.date(from: "2024-03-10T\(time.prefix(8))\(offset)"))
                expected[id] = CalendarDate(instant).description
            }
        }
        // The issue's pair: one instant written two ways gives one date.
        items.append(API.order("ISSUE-west", ["created_at": API.json("2024-03-10T23:30:00-05:00")]))
        items.append(API.order("ISSUE-utc", ["created_at": API.json("2024-03-11T04:30:00Z")]))
        expected["ISSUE-west"] = "2024-03-11"
        expected["ISSUE-utc"] = "2024-03-11"
        let (test, report) = try await run(kind, [items])
        #expect(report.status == "succeeded", "\(report.error ?? "")")
        let rows = try await silver(test)
        for (id, date) in expected { #expect(rows[id]?["created_date"] == date, "\(id)") }
        #expect(expected.values.contains("2024-03-09") && expected.values.contains("2024-03-11"), "the table crosses midnight both ways")
    }

    /// A timestamp is checked whole: a nonsense time, an hour 24, a minute 60, a bad offset or trailing text
    /// are rejected: the run fails naming the order and the artifact, and only the good order is stored.
    @Test(arguments: WarehouseKind.allCases)
    func anInvalidTimestampIsRefusedNamingTheItemAndArtifact(_ kind: WarehouseKind) async throws {
        // One run per value (a refused value fails its run); the whole family is TimestampTests' table.
        for bad in ["2024-03-10Tnonsense", "2024-03-10T24:00:00Z", "2024-03-10T10:00:00+25:00"] {
            let items = [API.order("OK-1", ["created_at": API.json("2024-03-10T10:00:00Z")]),
                         API.order("BAD-1", ["created_at": API.json(bad)])]
            let (test, report) = try await run(kind, [items])
            #expect(report.status == "failed", "\(bad) is refused")
            let error = report.error ?? ""
            #expect(error.contains("page_00001") && error.contains("BAD-1"), "\(bad): \(error)")
            #expect(error.contains(VisibleText.escaped(bad)), "the value is named, escaped: \(error)")
            #expect(try await orderCount(test) == 1, "OK-1 is stored; BAD-1 is kept in the rejects (issue 9)")
            #expect(try await rejectedItems(test, report) == [2])
        }
    }

    // MARK: - 6. Blank keys

    /// An empty key, or one of only white space (any kind), is refused like a NULL key: two such orders are never merged.
    @Test(arguments: WarehouseKind.allCases)
    func blankPrimaryKeysAreRefusedNeverMerged(_ kind: WarehouseKind) async throws {
        // One run per key (a refused key fails its run); every white space is RowEncoderTests' table.
        let blanks = ["", "\t", "\u{A0}", " \t\u{3000} "]
        for blank in blanks {
            let items = [API.order("A-1", ["name": API.json("first")]),
                         API.order(blank, ["name": API.json("order one")]), API.order(blank, ["name": API.json("order two")])]
            let (test, report) = try await run(kind, [items])
            #expect(report.status == "failed", "key \(VisibleText.escaped(blank)) is refused")
            let error = report.error ?? ""
            #expect(error.contains("page_00001") && error.contains("item 2") && error.contains("primary key entity_id"),
                    "\(VisibleText.escaped(blank)): \(error)")
            #expect(try await orderCount(test) == 1, "only A-1 is stored: nothing merged (issue 9 keeps the refused items in the rejects)")
            #expect(try await rejectedItems(test, report) == [2, 3])
        }
    }

    // MARK: - 10. Values too long for an index

    /// A 3,200-character status (an indexed column) is refused for its row, naming column, item and artifact,
    /// on both warehouses, never with PostgreSQL's raw btree error; 2,000 bytes are stored.
    @Test(arguments: WarehouseKind.allCases)
    func aValueTooLongForAnIndexIsRefusedNamingTheColumn(_ kind: WarehouseKind) async throws {
        func noise(_ count: Int) -> String {  // hard to compress, like real text
            var state: UInt64 = 0x9E3779B97F4A7C15
            return String((0..<count).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Character(Unicode.Scalar(UInt8(97 + (state >> 33) % 26)))
            })
        }
        let long = noise(3_200)
        let (test, report) = try await run(kind, [[API.order("L-1"), API.order("L-2", ["status": API.json(long)])]])
        #expect(report.status == "failed")
        let error = report.error ?? ""
        #expect(error.contains("page_00001") && error.contains("item 2") && error.contains("L-2") && error.contains("indexed column status"), "\(error)")
        #expect(!error.contains("index row size"), "not PostgreSQL's raw error: \(error)")
        #expect(try await orderCount(test) == 1, "L-1 is stored; L-2 is kept in the rejects (issue 9)")
        #expect(try await rejectedItems(test, report) == [2])

        let customerAtLimit = noise(RowEncoder<OrderRow>.maxIndexedBytes)
        let ok = [API.order("L-3", ["customer": #"{"id": \#(API.json(customerAtLimit))}"#])]
        let (limitTest, limitReport) = try await run(kind, [ok])
        #expect(limitReport.status == "succeeded", "\(limitReport.error ?? "")")
        #expect(try await silver(limitTest)["L-3"]?["customer_id"] == customerAtLimit)

        let overKey = noise(RowEncoder<OrderRow>.maxIndexedBytes + 1)
        let (keyTest, keyReport) = try await run(kind, [[API.order(overKey)]])
        #expect(keyReport.status == "failed")
        #expect(keyReport.error?.contains("primary key (entity_id)") == true, "\(keyReport.error ?? "")")
        #expect(try await orderCount(keyTest) == 0)
        #expect(try await rejectedItems(keyTest, keyReport) == [1])
    }

    // MARK: - 11. Blank means all Unicode white space

    /// A status of only a tab (or of any Unicode white space) is blank to blankToDefault on both warehouses:
    /// it becomes "unknown", the accepted-values test passes and the run succeeds. Padded values are trimmed.
    @Test(arguments: WarehouseKind.allCases)
    func aStatusOfOnlyWhiteSpaceIsBlank(_ kind: WarehouseKind) async throws {
        var items = [API.order("S-tab", ["status": API.json("\t")])]
        for (index, space) in Blank.whitespace.enumerated() {
            items.append(API.order("S-\(index)", ["status": API.json(String(space))]))
            items.append(API.order("P-\(index)", ["status": API.json("\(space)Shipped\(space)\(space)")]))
        }
        let (test, report) = try await run(kind, [items])
        #expect(report.status == "succeeded", "\(report.error ?? "")")
        #expect(report.models?.testsFailed == 0)
        let clean = try await test.withWarehouse { warehouse in
            try await warehouse.execute("SELECT order_id, status_name FROM marts.fct_orders AS f JOIN marts.dim_status AS d ON f.status_sk = d.status_sk")
        }
        let byOrder = Dictionary(uniqueKeysWithValues: clean.map { ($0["order_id"] ?? "", $0["status_name"]) })
        #expect(byOrder.count == items.count)
        #expect(byOrder["S-tab"] == "unknown")
        for index in Blank.whitespace.indices {
            #expect(byOrder["S-\(index)"] == "unknown", "U+\(String(Blank.whitespace[index].value, radix: 16)) alone is blank")
            #expect(byOrder["P-\(index)"] == "shipped", "U+\(String(Blank.whitespace[index].value, radix: 16)) is trimmed")
        }
    }
}

extension MessyInputTests {
    /// A failing data test prints its samples with control and invisible characters escaped,
    /// so a status that is a zero-width space or a bell shows what it holds.
    @Test(arguments: WarehouseKind.allCases)
    func failingTestSamplesShowInvisibleCharactersEscaped(_ kind: WarehouseKind) async throws {
        let items = [API.order("V-1", ["status": API.json("ship\u{200B}ped")]), API.order("V-2", ["status": API.json("\u{7}")]),
                     API.order("V-3", ["status": API.json("new\nline")])]
        let (test, server) = try await API.start(kind, pages: [items])
        let said = SaidLines()
        let platform = try Platform(settings: test.settings, say: { said.append($0) })
        let report = try await platform.run("acme_portal.orders", in: registry)
        await server.stop()
        #expect(report.models?.testsFailed == 1, "\(report.error ?? "")")
        let text = said.text
        #expect(text.contains(#"status_clean=ship\u{200B}ped"#), "\(text)")
        #expect(text.contains(#"status_clean=\u{7}"#))
        #expect(text.contains(#"status_clean=new\nline"#))
        #expect(!text.contains("\u{200B}") && !text.contains("\u{7}"), "nothing invisible is printed raw")
    }
}

/// acme_portal.orders with NUL characters rejected instead of removed.
let rejectingNULOrders: Dataset = {
    var dataset = AcmePortalSource.orders
    dataset.extractor = AcmeAPIExtractor(endpoint: "orders")
    dataset.nulCharacters = .reject
    return dataset
}()
