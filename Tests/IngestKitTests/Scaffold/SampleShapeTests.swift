import Foundation
import IngestKit
import Testing

/// `ingestctl new --from-url`'s inference on sample documents: where the records are, every inferred
/// type, flattening, key guesses and names.
@Suite struct SampleShapeTests {
    func shape(_ json: String, dataset: String = "permits") throws -> SampleShape {
        try SampleShape(json: Data(json.utf8), dataset: dataset)
    }

    func types(_ shape: SampleShape) -> [String: String] {
        Dictionary(uniqueKeysWithValues: shape.fields.map { ($0.column, $0.type.rawValue) })
    }

    /// A Socrata-style page: a bare array, numbers as strings, floating timestamps, a nested point.
    static let socrata = """
        [
          {"permit_number": "BP-2024-0001", "permit_type": "New Construction", "issue_date": "2024-01-15T00:00:00.000",
           "application_date": "2023-12-01", "estimated_cost": "125000.50", "fee": 812.25, "units": 4, "zip": "02139",
           "is_commercial": true, "contractors": [{"name": "A"}], "location": {"latitude": "41.88", "city": "Chicago",
           "address": {"line": "1 Main St"}}, "remarks": null},
          {"permit_number": "BP-2024-0002", "permit_type": "Renovation", "issue_date": "2024-01-16T08:30:00.000",
           "application_date": "2023-12-02", "estimated_cost": "9000.00", "fee": 40, "units": 1, "zip": "60601",
           "is_commercial": false, "contractors": [], "location": {"latitude": "41.90", "city": "Chicago",
           "address": {"line": "2 Main St"}}, "remarks": null}
        ]
        """

    @Test func aBareArrayGivesEveryInferredType() throws {
        let shape = try shape(Self.socrata)
        #expect(shape.records == .bareArray)
        #expect(shape.records.recordsPath == nil)
        #expect(shape.recordCount == 2)
        #expect(types(shape) == [
            "permit_number": "text", "permit_type": "text",
            "issue_date": "timestamp", "application_date": "date",
            "estimated_cost": "numeric",            // a decimal string
            "fee": "numeric",                       // 812.25 and 40: fractional and whole numbers together
            "units": "integer", "zip": "text",      // digits without a point keep their leading zero
            "is_commercial": "boolean", "contractors": "jsonb",
            "location_latitude": "numeric", "location_city": "text", "location_address_line": "text",
            "remarks": "text",                      // null everywhere: text
        ])
        // The API's key order is kept.
        #expect(shape.fields.prefix(4).map(\.column) == ["permit_number", "permit_type", "issue_date", "application_date"])
        #expect(shape.fields.first { $0.column == "location_address_line" }?.path == ["location", "address", "line"])
        #expect(shape.key?.column == "permit_number")
    }

    @Test func theArrayInsideTheFirstObjectAndItsNextLink() throws {
        let shape = try shape("""
            {"count": 2, "next": "https://api.example.com/v1/items?page=2", "meta": {"page": 1},
             "results": [{"id": 1, "name": "a", "price": 1.5}, {"id": 2, "name": "b", "price": "2.25"}]}
            """, dataset: "items")
        #expect(shape.records == .key("results"))
        #expect(shape.records.recordsPath == "results")
        #expect(shape.nextLinkKey == "next")
        #expect(types(shape) == ["id": "integer", "name": "text", "price": "numeric"])
        #expect(shape.key?.column == "id")
    }

    /// JSON:API's envelope is read as the row: attributes without a prefix, `id` kept, the constant `type` and the
    /// resource's `links` dropped, a to-one relationship as `<name>_id`, a to-many one as one `jsonb` column.
    @Test func aJSONAPIResourceIsFlattenedWithoutItsEnvelope() throws {
        let shape = try shape("""
            {"data": [
              {"id": "1", "type": "orders", "attributes": {"total": "12.500", "id": "A-1", "status": "open"},
               "relationships": {"carrier": {"data": {"type": "carriers", "id": "c9"}, "links": {"related": "https://x/c9"}},
                                 "tags": {"data": [{"type": "tags", "id": "t1"}]}},
               "links": {"self": "https://x/orders/1"}},
              {"id": "2", "type": "orders", "attributes": {"total": "3.100", "id": "A-2"},
               "relationships": {"carrier": {"data": {"type": "carriers", "id": "c8"}}, "tags": {"data": []}}}
            ], "links": {"next": "https://x/orders?page[cursor]=abc"}, "meta": {"total": 3000}}
            """, dataset: "orders")
        #expect(shape.fields.map(\.column) == ["id", "attributes_id", "total", "status", "carrier_id", "tags"], "\(shape.fields.map(\.column))")
        #expect(shape.fields.first { $0.column == "carrier_id" }?.path == ["relationships", "carrier", "data", "id"])
        #expect(shape.fields.first { $0.column == "tags" }?.type == .jsonb)
        #expect(shape.key?.column == "id")
        #expect(shape.nextLinkKey == "links.next")
        #expect(shape.declaredTotal?.path == "meta.total" && shape.declaredTotal?.value == 3000)
        // A `type` that differs between records is data: it stays.
        let mixed = try self.shape(#"{"data": [{"id": "1", "type": "a", "attributes": {"x": 1}}, {"id": "2", "type": "b", "attributes": {"x": 2}}]}"#)
        #expect(mixed.fields.map(\.column) == ["id", "type", "x"])
    }

    @Test func mixedKindsAndObjectsThatAreSometimesScalars() throws {
        let shape = try shape("""
            [{"id": "1", "code": 7, "when": "2024-01-01", "extra": {"a": 1}, "big": 123456789012345678901234567890},
             {"id": "2", "code": "X7", "when": "2024-01-01T10:00:00Z", "extra": "none", "big": 1}]
            """)
        let code = try #require(shape.fields.first { $0.column == "code" })
        #expect(code.type == .text)
        #expect(code.mixed, "a number and a string: read as text from either")
        #expect(types(shape)["when"] == "text", "a date and a timestamp: neither type holds both")
        #expect(types(shape)["extra"] == "jsonb", "an object here and a string there: kept whole")
        #expect(!shape.fields.contains { $0.column == "extra_a" })
        #expect(types(shape)["big"] == "numeric", "past Int64: numeric")
    }

    @Test(arguments: [
        ("inspections", #"[{"inspection_id": "i1", "case_number": "c1"}, {"inspection_id": "i2", "case_number": "c2"}]"#, "inspection_id"),
        ("permits", #"[{"name": "a", "permit_number": "p1"}, {"name": "b", "permit_number": "p2"}]"#, "permit_number"),
        ("permits", #"[{"id": "same", "permit_number": "p1"}, {"id": "same", "permit_number": "p2"}]"#, "permit_number"),
        ("permits", #"[{"id": "a", "permit_number": "p1"}, {"permit_number": "p2"}]"#, "permit_number"),
        ("things", #"[{"owner_id": 1, "title": "x"}, {"owner_id": 2, "title": "y"}]"#, "owner_id"),
    ])
    func keyGuesses(_ dataset: String, _ json: String, _ expected: String) throws {
        #expect(try shape(json, dataset: dataset).key?.column == expected)
    }

    @Test func noKeyWhenNoFieldIsPresentAndDistinct() throws {
        let shape = try shape(#"[{"name": "a", "id": 1}, {"name": "a", "id": 1}]"#)
        #expect(shape.key == nil)
        let error = #expect(throws: IngestError.self) {
            try SourceScaffold(source: "city_permits", dataset: "permits", request: SampleRequest(url: "https://x.example/p"),
                               shape: shape, sample: Data())
        }
        #expect(error?.description.contains("--key") == true)
        #expect(try SourceScaffold(source: "city_permits", dataset: "permits", request: SampleRequest(url: "https://x.example/p"),
                                   shape: shape, sample: Data(), key: "name").key.column == "name")
    }

    @Test func namesOfColumnsAndProperties() throws {
        let shape = try shape("""
            [{"PermitNumber": "a", "permit_number": "b", ":@computed_region_x": 1, "ingested_at": "2024-01-01",
              "default": "d", "2nd": "x", "id": "1"}]
            """)
        let columns = shape.fields.map(\.column)
        #expect(columns.contains("permit_number") && columns.contains("permit_number_2"), "two keys, one name: numbered")
        #expect(columns.contains("computed_region_x"))
        #expect(columns.contains("source_ingested_at"), "the SDK's own columns are not taken")
        #expect(columns.allSatisfy { Identifier.isSafe($0) })
        #expect(ScaffoldNames.property("default") == "defaultValue")
        #expect(ScaffoldNames.property("permit_number") == "permitNumber")
        #expect(ScaffoldNames.property("_2nd").first?.isLetter == true)
        #expect(ScaffoldNames.typeName("city_permits") == "CityPermits")
        #expect(ScaffoldNames.sqlColumn("order") == "\"order\"")
        #expect(ScaffoldNames.sqlColumn("permit_number") == "permit_number")
    }

    @Test(arguments: [
        ("<html><body>Not here</body></html>", "not JSON"),
        (#"{"error": "nope"}"#, "no array of records"),
        ("[]", "no records"),
        ("42", "a number"),
    ])
    func documentsWithoutRecordsAreRefusedSayingWhy(_ body: String, _ expected: String) {
        let error = #expect(throws: IngestError.self) { try shape(body) }
        #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
    }
}
