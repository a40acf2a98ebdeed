import Foundation
import IngestKit
import Testing

/// What `ingestctl new` renders from a request and a sample: the REST definition, the types, the
/// source's lists, and never the token. (That the files compile and run: the new-user test, scripts/new-user-test.sh.)
@Suite struct SourceScaffoldTests {
    static let token = "app-token-7Qx2-not-for-files"

    func socrata(headers: [String] = ["X-App-Token: \(token)"], kind: SourceScaffold.Kind = .rest) throws -> SourceScaffold {
        let request = try SampleRequest(url: "http://127.0.0.1:8123/resource/abcd-1234.json?$limit=1000&$order=permit_number", headers: headers)
        let sample = Data(SampleShapeTests.socrata.utf8)
        return try SourceScaffold(source: "city_permits", dataset: "permits", kind: kind, request: request,
                                  shape: SampleShape(json: sample, dataset: "permits"), sample: sample)
    }

    func file(_ scaffold: SourceScaffold, _ suffix: String) throws -> String {
        try #require(scaffold.newSourceFiles().first { $0.path.hasSuffix(suffix) }).text
    }

    @Test func theURLSplitsIntoVariablePathQueryAndPaging() throws {
        let request = try SampleRequest(url: "https://data.example.gov:8443/resource/abcd-1234.json?$limit=500&$offset=0&$order=id",
                                        headers: ["X-App-Token: \(Self.token)"])
        #expect(request.baseURL == "https://data.example.gov:8443")
        #expect(request.path == "/resource/abcd-1234.json")
        #expect(request.query.map(\.name) == ["$order"])
        #expect(request.paging == .offset(offsetParameter: "$offset", limitParameter: "$limit", limit: 500))
        #expect(request.tokenHeader == "X-App-Token")
        #expect(request.token == Self.token)
        #expect(!request.bearer)
        let bearer = try SampleRequest(url: "https://api.example.com/v1/items?page=1&per_page=50", headers: ["Authorization: Bearer abc"])
        #expect(bearer.bearer)
        #expect(bearer.token == "abc")
        #expect(bearer.paging == .pageNumber(parameter: "page", start: 1, sizeParameter: "per_page", size: 50))
    }

    @Test(arguments: [
        ("ftp://x.example/a", [String](), "not an http(s) URL"),
        ("https://user:pw@x.example/a", [], "credentials in the URL"),
        ("https://x.example/a", ["A: 1", "B: 2"], "2 --header options"),
        ("https://x.example/a", ["X-App-Token"], "no colon"),
        ("https://x.example/a", ["X-App-Token: "], "has no value"),
    ])
    func badRequestsAreRefusedNamingTheFix(_ url: String, _ headers: [String], _ expected: String) {
        let error = #expect(throws: IngestError.self) { try SampleRequest(url: url, headers: headers) }
        #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
    }

    @Test func theRESTDefinitionComesFromTheRequest() throws {
        let scaffold = try socrata()
        #expect(scaffold.module == "CityPermits")
        #expect(scaffold.folder == "Sources/Sources/CityPermits")
        let dataset = try file(scaffold, "/PermitsDataset.swift")
        #expect(dataset.contains(#"baseURLVariable: "CITY_PERMITS_BASE_URL""#))
        #expect(dataset.contains(#"path: "/resource/abcd-1234.json""#))
        #expect(dataset.contains(#"query: ["$order": "permit_number"]"#))
        #expect(dataset.contains(#"auth: .apiKeyHeader(name: "X-App-Token", variable: "CITY_PERMITS_API_TOKEN")"#))
        #expect(dataset.contains(#"paginator: .offset(offsetParameter: "$offset", limitParameter: "$limit", limit: 1000)"#))
        #expect(dataset.contains("recordsPath: nil"))
        let source = try file(scaffold, "/CityPermitsSource.swift")
        #expect(source.contains("public struct CityPermitsSource: Source"))
        #expect(source.contains(#"SourceVariable("CITY_PERMITS_BASE_URL", "the API's scheme, host and port", example: "http://127.0.0.1:8123", requirement: .required)"#))
        #expect(source.contains(#"SourceVariable("CITY_PERMITS_API_TOKEN", "the API token, sent in the X-App-Token header", secret: true, requirement: .required)"#))
    }

    /// `ingestctl new --incremental 'filter[updated_since]'`: the window goes into the REST definition, and the sample
    /// request's own value of that parameter does not stay in `query:` (the window sets it on every run).
    @Test func anIncrementalParameterBecomesTheWindowAndLeavesTheQuery() throws {
        let request = try SampleRequest(url: "https://api.example.com/v1/items?filter[updated_since]=2025-01-01&sort=id")
        let sample = Data(#"[{"id": "I1", "updated_at": "2025-01-02T10:00:00Z"}]"#.utf8)
        var scaffold = try SourceScaffold(source: "shop", dataset: "items", request: request,
                                          shape: SampleShape(json: sample, dataset: "items"), sample: sample)
        scaffold.incrementalParameter = "filter[updated_since]"
        let dataset = try file(scaffold, "/ItemsDataset.swift")
        #expect(dataset.contains(#"query: ["sort": "id"]"#), "\(dataset)")
        #expect(dataset.contains([
            #"            recordsPath: nil,"#,
            #"            // A first run loads everything; later runs send the last watermark (minus the lookback) in it."#,
            #"            incremental: IncrementalWindow(parameter: "filter[updated_since]")),"#,
        ].joined(separator: "\n")), "\(dataset)")
        #expect(dataset.contains(#"watermark: .latest(\.updatedAt)"#), "the window starts from the watermark: \(dataset)")
    }

    /// A next link nested where JSON:API (`links.next`), OData (`@odata.nextLink`) or HAL-style bodies keep it is followed,
    /// and the fixture is a whole API of one page: its next link null and its total the records it holds.
    @Test(arguments: [
        (#"{"data": [{"id": "1"}, {"id": "2"}], "links": {"next": "https://api.example.com/v1/items?page[cursor]=abc"}, "meta": {"total": 3000}}"#,
         "links.next", "meta.total"),
        (#"{"value": [{"id": "1"}, {"id": "2"}], "@odata.nextLink": "https://api.example.com/v1/items?$skiptoken=2", "@odata.count": 9}"#,
         #"["@odata.nextLink"]"#, nil),
        (#"{"items": [{"id": "1"}, {"id": "2"}], "_links": {"next": {"href": "https://api.example.com/v1/items?page=2"}}, "total_count": 40}"#,
         "_links.next.href", "total_count"),
    ] as [(String, String, String?)])
    func aNestedNextLinkIsFollowedAndTheFixtureIsOnePage(_ body: String, _ next: String, _ total: String?) throws {
        let sample = Data(body.utf8)
        let scaffold = try SourceScaffold(source: "shop", dataset: "items", request: SampleRequest(url: "https://api.example.com/v1/items"),
                                          shape: SampleShape(json: sample, dataset: "items"), sample: sample)
        #expect(scaffold.shape.nextLinkKey == next)
        let dataset = try file(scaffold, "/ItemsDataset.swift")
        #expect(dataset.contains("paginator: .nextURL(path: \(String(reflecting: next)))"), "\(dataset)")
        #expect(scaffold.pagingNotes.first == "paginator: .nextURL(path: \(String(reflecting: next))), the sample's next-page link")
        let fixture = try JSONTree.parse(Data(try file(scaffold, "/Fixtures/items.json").utf8))
        #expect(try JSONPath(next).string(in: fixture) == nil, "the fixture's next link is null: \(fixture)")
        if let total {
            #expect(try JSONPath(total).string(in: fixture) == "2", "the fixture's total is its records: \(fixture)")
            #expect(scaffold.pagingNotes.contains { $0.hasPrefix("total: the API's \(total)") }, "\(scaffold.pagingNotes)")
        }
    }

    /// What the scaffold cannot follow it says loudly: a cursor without its parameter, a total beyond the one page.
    @Test func aCursorOrATotalItCannotReachIsAWarning() throws {
        func notes(_ body: String) throws -> [String] {
            let sample = Data(body.utf8)
            return try SourceScaffold(source: "shop", dataset: "items", request: SampleRequest(url: "https://api.example.com/v1/items"),
                                      shape: SampleShape(json: sample, dataset: "items"), sample: sample).pagingNotes
        }
        let cursor = try notes(#"{"data": [{"id": "1"}], "meta": {"next_cursor": "eyJpZCI6MX0", "total": 10}}"#)
        #expect(cursor.contains { $0.hasPrefix("WARNING: the sample has a next-page cursor at meta.next_cursor") && $0.contains(".cursor(path: \"meta.next_cursor\"") }, "\(cursor)")
        let short = try notes(#"{"results": [{"id": "1"}, {"id": "2"}], "count": 500}"#)
        #expect(short.first == "paginator: .single, one request: the sample has no next-page link at a well-known place and the URL no page parameter")
        #expect(short.contains { $0.hasPrefix("WARNING: the sample says the API holds 500 records (at count) but holds 2") }, "\(short)")
    }

    @Test func theTokenIsInNoFile() throws {
        for kind in SourceScaffold.Kind.allCases {
            for file in try socrata(kind: kind).newSourceFiles() {
                #expect(!file.text.contains(Self.token), "\(file.path) holds the token")
            }
        }
    }

    @Test func itemRowAndColumnsCarryTheInferredTypesAndTheMarkedKey() throws {
        let scaffold = try socrata()
        let table = try file(scaffold, "/PermitsTable.swift")
        #expect(table.contains("public var permitNumber: String\n"), "the key is not optional")
        for line in ["public var issueDate: LocalTimestamp?", "public var applicationDate: CalendarDate?",
                     "public var estimatedCost: ExactDecimal?", "public var units: Int64?", "public var isCommercial: Bool?",
                     "public var contractors: JSONText?", "public var locationAddressLine: String?", "public var zip: String?"] {
            #expect(table.contains(line), "\(line)")
        }
        #expect(table.contains("// CONFIRM: ingestctl new guessed this primary key from the sample"))
        #expect(table.contains(#"Column("permit_number", \.permitNumber, primaryKey: true),"#))
        #expect(table.contains(#"Column("location_city", \.locationCity),"#))
        let item = try file(scaffold, "/PermitsItem.swift")
        #expect(item.contains("var location: LocationFields?"))
        #expect(item.contains("struct AddressFields: Decodable"))
        #expect(item.contains(#"case issueDate = "issue_date""#))
        let parser = try file(scaffold, "/PermitsParser.swift")
        #expect(parser.contains("try artifact.decodeJSON([JSONItem<PermitsItem>].self)"))
        #expect(parser.contains("locationAddressLine: item.location?.address?.line"))
        #expect(parser.contains("contractors: item.contractors.map(JSONText.init)"))
        let models = try file(scaffold, "/Models/PermitsModels.swift")
        for name in ["stg_city_permits__permits", "int_city_permits__permits_enriched", "fct_city_permits__permits"] {
            #expect(models.contains("public static let name = \"\(name)\""))
        }
        #expect(models.contains("tests: [.notNull, .unique]"))
        let test = try file(scaffold, "/Tests/PermitsTests.swift")
        #expect(test.contains("SELECT count(*) AS n FROM marts.fct_city_permits__permits"))
        #expect(scaffold.newSourceFiles().contains { $0.path == "Sources/Sources/CityPermits/Tests/Fixtures/permits.json" })
    }

    @Test func aWrappedSampleReadsItsRecordsPathAndFollowsNext() throws {
        let sample = Data(#"{"next": "https://api.example.com/v1/items?page=2", "results": [{"id": 1, "n": "a"}]}"#.utf8)
        let scaffold = try SourceScaffold(source: "shop", dataset: "items", request: SampleRequest(url: "https://api.example.com/v1/items"),
                                          shape: SampleShape(json: sample, dataset: "items"), sample: sample)
        let dataset = try file(scaffold, "/ItemsDataset.swift")
        #expect(dataset.contains(#"recordsPath: "results""#))
        #expect(dataset.contains(#"paginator: .nextURL(path: "next")"#))
        #expect(dataset.contains("auth: .none"))
        // Every field is at the top level: the row is the record, read from the records path (no item type, no parser).
        #expect(dataset.contains(#"parse: .records(at: "results")"#))
        #expect(!scaffold.newSourceFiles().contains { $0.path.hasSuffix("/ItemsParser.swift") || $0.path.hasSuffix("/ItemsItem.swift") })
        #expect(!scaffold.fixture().text.contains("page=2"), "the fixture's next link is cut, so the test stops after it")
        #expect(!(try file(scaffold, "/ShopSource.swift")).contains("API_TOKEN"))
    }

    @Test func aSecondDatasetJoinsTheSourceAtItsMarkers() throws {
        let first = try socrata()
        let sourceText = try file(first, "/CityPermitsSource.swift")
        let sample = Data(#"[{"inspection_id": "i1", "result": "pass"}]"#.utf8)
        let second = try SourceScaffold(source: "city_permits", dataset: "inspections",
                                        request: SampleRequest(url: "http://127.0.0.1:8123/resource/wxyz-9876.json", headers: ["X-App-Token: t"]),
                                        shape: SampleShape(json: sample, dataset: "inspections"), sample: sample)
        let updated = try second.addingDataset(to: sourceText)
        #expect(updated.contains("Self.permits,\n            Self.inspections,\n            // ingestctl new: datasets above this line"))
        #expect(updated.contains("StgCityPermitsInspections.self, IntCityPermitsInspectionsEnriched.self, FctCityPermitsInspections.self,"))
        #expect(updated.components(separatedBy: "\"CITY_PERMITS_BASE_URL\"").count == 2, "the variable is declared once")
        #expect(updated.components(separatedBy: "\"CITY_PERMITS_API_TOKEN\"").count == 2)
        // The dataset is declared in the source's type, whose name (and so schema) it takes.
        #expect(sourceText.contains(#"public static let sourceName = "city_permits""#), "the source's schema")
        #expect(try #require(second.datasetFiles().first { $0.path.hasSuffix("/InspectionsDataset.swift") }).text
            .contains("extension CityPermitsSource {\n    /// `city_permits.inspections`"))
        #expect(!second.datasetFiles().contains { $0.path.hasSuffix("Source.swift") })

        let again = #expect(throws: IngestError.self) { try second.addingDataset(to: updated) }
        #expect(again?.description.contains("already has a dataset inspections") == true)
        let noMarker = #expect(throws: IngestError.self) {
            try second.addingDataset(to: sourceText.replacingOccurrences(of: "// ingestctl new: models above this line", with: ""))
        }
        #expect(noMarker?.description.contains("models above this line") == true)
    }

    @Test func namesThatAreNotSnakeCaseAreRefused() throws {
        let sample = Data(#"[{"id": 1}]"#.utf8)
        for name in ["CityPermits", "city-permits", "city__permits", "_x"] {
            let error = #expect(throws: IngestError.self) {
                try SourceScaffold(source: name, dataset: "permits", request: SampleRequest(url: "https://x.example/a"),
                                   shape: SampleShape(json: sample, dataset: "permits"), sample: sample)
            }
            #expect(error?.description.contains("not a snake_case name") == true)
        }
    }

    /// A sample whose records are flat: one `Decodable` row serves as record and row, its coding keys
    /// the JSON keys; the dataset is a value in the source's type with its columns, REST definition,
    /// parse function and typed watermark.
    @Test func aFlatRecordIsTheRowAndTheDatasetIsAValue() throws {
        let sample = Data(#"[{"permitNumber": "P-1", "issue_date": "2025-01-02", "updated_at": "2025-01-03T10:00:00Z", "tags": ["a"]}]"#.utf8)
        let scaffold = try SourceScaffold(source: "city_permits", dataset: "permits",
                                          request: SampleRequest(url: "http://127.0.0.1:8123/permits.json"),
                                          shape: SampleShape(json: sample, dataset: "permits"), sample: sample)
        #expect(scaffold.rowIsRecord)
        let table = try file(scaffold, "/PermitsTable.swift")
        #expect(table.contains("public struct PermitsRow: Sendable, Hashable, Decodable {"))
        #expect(table.contains("public var tags: JSONText?"))
        #expect(table.contains(#"case issueDate = "issue_date""#))
        #expect(table.contains(#"case permitNumber = "permitNumber""#))
        #expect(table.contains("public static let permitsColumns: [Column<PermitsRow>] = ["))
        #expect(!table.contains(".checksum()"), "the SDK adds the platform's columns")
        let dataset = try file(scaffold, "/PermitsDataset.swift")
        #expect(dataset.contains("public static let permits = dataset(\n        \"permits\",\n        columns: permitsColumns,"))
        #expect(dataset.contains("parse: .records(at: nil),"))
        #expect(dataset.contains("watermark: .latest(\\.updatedAt),"))
        #expect(try file(scaffold, "/Models/PermitsModels.swift").contains("from \\(source: CityPermitsSource.permits)"))
        #expect(!scaffold.newSourceFiles().contains { $0.path.hasSuffix("/PermitsParser.swift") || $0.path.hasSuffix("/PermitsItem.swift") })
    }

    /// `--kind browser` and `--kind export`: the built-in sample's top-level scalar fields as a table, an extractor
    /// on the SDK's browser toolkit or HTTP client, a `TableRecord` parser, the sample as the fixture page or export,
    /// and a test served by IngestTesting's `RecordedAPI`. (That they compile and run: scripts/new-user-test.sh.)
    @Test(arguments: [SourceScaffold.Kind.browser, .export])
    func tableKindsRenderAnExtractorParserFixtureAndTest(_ kind: SourceScaffold.Kind) throws {
        let sample = SourceScaffold.builtInSample
        let scaffold = try SourceScaffold(source: "city_portal", dataset: "listings", kind: kind,
                                          request: SampleRequest(url: "https://api.example.com/v1/listings"),
                                          shape: SampleShape(json: sample, dataset: "listings"), sample: sample)
        #expect(!scaffold.rowIsRecord)
        let names = scaffold.newSourceFiles().map { $0.path.replacingOccurrences(of: "Sources/Sources/CityPortal/", with: "") }
        let fixture = kind == .browser ? "Tests/Fixtures/listings.html" : "Tests/Fixtures/listings.csv"
        #expect(names == ["CityPortalSource.swift", "ListingsTable.swift", "ListingsExtractor.swift", "ListingsParser.swift", "ListingsDataset.swift",
                          "Models/ListingsModels.swift", "Tests/ListingsTests.swift", fixture, ".env.example"])
        let table = try file(scaffold, "/ListingsTable.swift")
        #expect(table.contains("public struct ListingsRow: Sendable, Hashable {"))
        for line in ["public var id: String\n", "public var amount: ExactDecimal?", "public var quantity: Int64?", "public var createdDate: CalendarDate?",
                     "public var updatedAt: LocalTimestamp?", "public var active: Bool?"] {
            #expect(table.contains(line), "\(line)")
        }
        #expect(!table.contains("tags") && !table.contains("address"), "nested fields have no cell in a table")
        let parser = try file(scaffold, "/ListingsParser.swift")
        #expect(parser.contains(kind == .browser ? #"try TableRecord.html(artifact.bytes, table: "table#listings")"# : "try TableRecord.csv(artifact.bytes)"))
        #expect(parser.contains(#"id: try record.required("id")"#))
        #expect(parser.contains(#"amount: try record.decimal("amount")"#))
        #expect(parser.contains(#"updatedAt: try record.timestamp("updated_at")"#))
        #expect(parser.contains("return .rejected(reason: \"\\(error)\", raw: record.raw)"))
        let extractor = try file(scaffold, "/ListingsExtractor.swift")
        let dataset = try file(scaffold, "/ListingsDataset.swift")
        #expect(dataset.contains("extractor: ListingsExtractor(),"))
        #expect(dataset.contains("parse: .items(parseListings),"))
        let source = try file(scaffold, "/CityPortalSource.swift")
        #expect(source.contains(#"SourceVariable("CITY_PORTAL_BASE_URL", "#))
        #expect(!source.contains("API_TOKEN"))
        let env = try file(scaffold, "/.env.example")
        #expect(env == EnvironmentFile.render(source: "city_portal", variables: scaffold.variables()))
        #expect(env.contains("# CITY_PORTAL_BASE_URL="))
        let test = try file(scaffold, "/Tests/ListingsTests.swift")
        #expect(test.contains("let site = try await RecordedAPI.start(folder: Fixtures().folder)"))
        #expect(test.contains("SELECT count(*) AS n FROM marts.fct_city_portal__listings"))
        let fixtureText = try file(scaffold, fixture)
        if kind == .browser {
            #expect(extractor.contains("try await Browser.withBrowser(try BrowserOptions(settings: context.settings))"))
            #expect(extractor.contains(#"try await page.waitForSelector("table#listings tbody tr")"#))
            #expect(extractor.contains("method: .domHTML"))
            #expect(fixtureText.contains(#"<table id="listings">"#))
            #expect(fixtureText.contains("<th>id</th><th>name</th>"))
            #expect(fixtureText.contains(#"["A-1","First","open","1250.50","3","2025-01-15","2025-01-16T09:30:00Z","true"]"#), "\(fixtureText)")
            #expect(try TableRecord.html(Data(fixtureText.utf8), table: "table#listings").isEmpty, "the rows are drawn by the script: the HTML alone has none")
        } else {
            #expect(extractor.contains("extractionMethod: .exportDownload"))
            #expect(extractor.contains(#"let url = (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/listings.csv""#))
            let records = try TableRecord.csv(Data(fixtureText.utf8))
            #expect(records.count == 3)
            #expect(try records[0].decimal("amount") == ExactDecimal("1250.50"))
            #expect(try records[2].text("name") == nil)
            #expect(try records[1].boolean("active") == false)
        }
    }

    @Test func aTableRecordReadsTypedCellsAndRefusesOthersNamingTheColumn() throws {
        let html = Data(#"<table id="t"><tr><th>id</th><th>n</th><th>day</th></tr><tr><td> 7 </td><td>x</td><td>2025-13-01</td></tr></table>"#.utf8)
        let records = try TableRecord.html(html, table: "table#t")
        #expect(records.count == 1)
        #expect(try records[0].integer("id") == 7)
        let notInteger = #expect(throws: IngestError.self) { try records[0].integer("n") }
        #expect(notInteger?.description.contains(#"the column n holds "x", not an integer"#) == true)
        let badDate = #expect(throws: IngestError.self) { try records[0].date("day") }
        #expect(badDate?.description.contains("not a date") == true)
        let missing = #expect(throws: IngestError.self) { try records[0].text("name") }
        #expect(missing?.description.contains("the table has no column name (columns: day, id, n)") == true)
        #expect(records[0].raw == #"{"day":"2025-13-01","id":"7","n":"x"}"#, "cells trimmed, white space collapsed")
        let noTable = #expect(throws: IngestError.self) { try TableRecord.html(html, table: "table#other") }
        #expect(noTable?.description.contains("the page has no element table#other") == true)
    }
}
