import Foundation
import IngestCommon
@testable import IngestKit
import IngestTestSupport
import Testing

/// Issue 20 item 8: generated column and index names stay within PostgreSQL's 63 bytes and unique;
/// a key that is already snake_case keeps its exact name.
@Suite struct GeneratedNameLengthTests {
    static let longPrefix = "shipment_destination_warehouse_receiving_dock_assignment_"

    @Test func longKeysSharingAPrefixBecomeDistinctColumnsThatFit() throws {
        let keys = ["\(Self.longPrefix)identifier_primary", "\(Self.longPrefix)identifier_secondary", "shortKey", "_id", "sku_2"]
        let record = "{" + keys.enumerated().map { "\"\($0.element)\": \($0.offset)" }.joined(separator: ", ") + "}"
        let shape = try SampleShape(json: Data("[\(record), \(record)]".utf8), dataset: "items")
        let columns = ScaffoldNames.uniqueColumns(shape.fields).map(\.column)
        #expect(columns.count == 5 && Set(columns).count == 5, "\(columns)")
        for column in columns { #expect(Identifier.isSafe(column), "\(column) (\(column.utf8.count) bytes)") }
        #expect(columns[2] == "short_key")
        #expect(columns[3] == "_id", "a snake_case key keeps its exact name")
        #expect(columns[4] == "sku_2")
        #expect(columns[0].hasPrefix("shipment_destination_warehouse_receiving_dock") && columns[0].utf8.count == 63, "\(columns[0])")
    }

    @Test func aSuffixForADuplicateIsCutToFit() throws {
        let name = String(repeating: "a", count: 63)
        let field = InferredField(path: [name], column: name, type: .text, mixed: false, inEveryRecord: true)
        let columns = ScaffoldNames.uniqueColumns([field, field, field]).map(\.column)
        #expect(columns == [name, String(repeating: "a", count: 61) + "_2", String(repeating: "a", count: 61) + "_3"])
        for column in columns { #expect(Identifier.isSafe(column)) }
    }

    @Test func twoLongIndexedColumnsSharingAPrefixGetTwoIndexNamesThatFit() {
        let table = "order_line_items"
        let first = DDL.indexName(table: table, column: "\(Self.longPrefix)identifier_primary")
        let second = DDL.indexName(table: table, column: "\(Self.longPrefix)identifier_secondary")
        #expect(first != second)
        #expect(first.utf8.count == 63 && second.utf8.count == 63)
        #expect(Identifier.isSafe(first) && Identifier.isSafe(second))
        #expect(first.hasPrefix("order_line_items__shipment_destination"))
        // A name that fits is unchanged.
        #expect(DDL.indexName(table: "orders", column: "status") == "orders__status__idx")
    }
}

/// Two indexed columns (54 bytes each) whose `long_names__<column>__idx` names share their first 63 bytes.
enum LongIndexedColumns: SourceTableConfig {
    static let sourceName = "fixture"
    static let dataset = "long_names"
    static let prefix = "shipment_destination_warehouse_receiving_dock_number_"
    static let columns: [Column<ItemRowV2>] = [
        Column("id", \.id, primaryKey: true),
        Column(prefix + "a", \.name, index: true),
        Column(prefix + "b", \.color, index: true),
        .checksum(), .ingestedAt(),
    ]
}

extension GeneratedNameLengthTests {
    @Test(arguments: WarehouseKind.allCases)
    func bothLongIndexesAreCreatedOnTheWarehouse(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        let table = try LongIndexedColumns.tableSchema()
        try await test.withWarehouse { try await SilverTables(warehouse: $0).ensure(table) }
        let expected = Set(table.columns.filter { $0.index && !$0.primaryKey }.map { DDL.indexName(table: table.table, column: $0.name) })
        #expect(expected.count == 2)
        let indexes = try await test.indexNames(schema: "fixture", table: "long_names")
        #expect(expected.isSubset(of: indexes), "\(indexes)")
    }
}
