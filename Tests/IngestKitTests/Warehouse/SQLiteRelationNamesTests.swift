@testable import IngestKit
import IngestTestSupport
import Testing

/// The SQL the SDK and users write for PostgreSQL's `schema.table`, as the one-file SQLite warehouse runs it.
@Suite struct SQLiteRelationNamesTests {
    let schemas: Set<String> = ["acme_portal", "staging", "marts"]

    func map(_ sql: String) -> String { SQLiteRelationNames.map(sql, schemas: schemas).sql }

    @Test func schemaQualifiedNamesBecomeTheTablesOfTheOneFile() {
        #expect(map("SELECT * FROM acme_portal.orders") == #"SELECT * FROM "acme_portal.orders""#)
        #expect(map(#"INSERT INTO "acme_portal"."orders" AS target ("id") VALUES (?1)"#) == #"INSERT INTO "acme_portal.orders" AS target ("id") VALUES (?1)"#)
        #expect(map("select o.id from marts . fct_orders as o") == #"select o.id from "marts.fct_orders" as o"#)
        #expect(map("SELECT marts.fct_orders.order_id FROM marts.fct_orders") == #"SELECT "marts.fct_orders".order_id FROM "marts.fct_orders""#)
        #expect(map("SELECT 1 FROM Staging.ingestion_state") == #"SELECT 1 FROM "staging.ingestion_state""#)
        #expect(map(#"ALTER TABLE "marts"."__shadow__fct_orders" RENAME TO "marts"."fct_orders""#) == #"ALTER TABLE "marts.__shadow__fct_orders" RENAME TO "marts.fct_orders""#)
    }

    @Test func literalsCommentsAliasesNumbersAndTempAreKept() {
        let kept = [
            "SELECT 'acme_portal.orders' AS label, 1.5 AS x, ?1 AS p",
            "SELECT o.customer_id FROM t AS o -- acme_portal.orders\n",
            "SELECT 1 /* marts.fct_orders */",
            #"INSERT INTO temp."ingest_stage" ("_seq") VALUES (?1)"#,
            "SELECT excluded.checksum, main.x FROM y",
            #"SELECT "acme_portal.orders".id FROM "acme_portal.orders""#,
        ]
        for sql in kept { #expect(map(sql) == sql, "\(sql)") }
        #expect(SQLiteRelationNames.map("SELECT o.id FROM t AS o", schemas: schemas).sawUnknownQualifier)
        #expect(!SQLiteRelationNames.map("SELECT id FROM acme_portal.orders", schemas: schemas).sawUnknownQualifier)
    }

    @Test func aSchemasCatalogReadsAsItsOwnFileDid() {
        let mapped = map("SELECT name FROM marts.sqlite_master WHERE type = 'table'")
        #expect(mapped.contains("FROM main.sqlite_master WHERE substr(tbl_name, 1, 6) = 'marts.'"))
        #expect(!mapped.contains(#""marts.sqlite_master""#))
    }
}

@Suite struct SQLiteOneFileWarehouseTests {
    @Test func aSchemaAnotherConnectionMadeIsFound() async throws {
        let test = try await TestPlatform.make(.sqlite)
        try await test.withWarehouse { reader in
            #expect(try await reader.execute("SELECT 1 AS one").first?["one"] == "1")
            try await test.withWarehouse { writer in
                try await writer.ensureSchema("late")
                try await writer.execute("CREATE TABLE late.t (x INTEGER)")
                try await writer.execute("INSERT INTO late.t VALUES (7)")
            }
            #expect(try await reader.execute("SELECT x FROM late.t").first?["x"] == "7")
        }
    }

    @Test func errorsNameTheRelationAsWritten() async throws {
        let test = try await TestPlatform.make(.sqlite)
        try await test.withWarehouse { warehouse in
            try await warehouse.ensureSchema("marts")
            let error = await #expect(throws: WarehouseError.self) { try await warehouse.execute("SELECT * FROM marts.fct_missing") }
            let text = try #require(error).description
            #expect(text.contains("no such table: marts.fct_missing"), "\(text)")
            #expect(text.contains("(in: SELECT * FROM marts.fct_missing)"), "\(text)")
        }
    }
}
