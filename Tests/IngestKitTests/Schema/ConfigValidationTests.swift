import Foundation
import IngestKit
import IngestTestSupport
import Testing

struct PlainRow: Sendable {
    var id: String
    var name: String?
    var maybeId: String?
}

enum NoPrimaryKey: SourceTableConfig {
    static let sourceName = "broken"
    static let dataset = "no_key"
    static let columns: [Column<PlainRow>] = [Column("id", \.id), .checksum(), .ingestedAt()]
}

enum InjectedTableName: SourceTableConfig {
    static let sourceName = "broken"
    static let dataset = "injected"
    static let table = "orders; drop table x"
    static let columns: [Column<PlainRow>] = [Column("id", \.id, primaryKey: true), .checksum(), .ingestedAt()]
}

enum CamelCaseColumn: SourceTableConfig {
    static let sourceName = "broken"
    static let dataset = "camel"
    static let columns: [Column<PlainRow>] = [Column("id", \.id, primaryKey: true), Column("fullName", \.name), .checksum(), .ingestedAt()]
}

enum DuplicateColumn: SourceTableConfig {
    static let sourceName = "broken"
    static let dataset = "duplicate"
    static let columns: [Column<PlainRow>] = [Column("id", \.id, primaryKey: true), Column("id", \.name), .checksum(), .ingestedAt()]
}

enum NoChecksum: SourceTableConfig {
    static let sourceName = "broken"
    static let dataset = "no_checksum"
    static let columns: [Column<PlainRow>] = [Column("id", \.id, primaryKey: true), .ingestedAt()]
}

enum NoIngestedAt: SourceTableConfig {
    static let sourceName = "broken"
    static let dataset = "no_ingested_at"
    static let columns: [Column<PlainRow>] = [Column("id", \.id, primaryKey: true), .checksum()]
}

enum OptionalKey: SourceTableConfig {
    static let sourceName = "broken"
    static let dataset = "optional_key"
    static let columns: [Column<PlainRow>] = [Column("id", \.maybeId, primaryKey: true), .checksum(), .ingestedAt()]
}

struct NeverCalledExtractor: Extractor {
    let calls: CallCounter
    func extract(_ context: ExtractionContext, into sink: ArtifactSink) async throws {
        Issue.record("the extractor of a broken config must not run")
    }
}

struct PlainParser: Parser {
    func parse(_ artifact: StoredArtifact) throws -> [PlainRow] { [] }
}

func brokenDataset<Table: SourceTableConfig>(_ table: Table.Type) -> Dataset where Table.Row == PlainRow {
    Dataset(table: table, extractor: NeverCalledExtractor(calls: CallCounter()), parse: .parser(PlainParser()))
}

struct BrokenSource: Source {
    let name = "broken"
    var datasets: [Dataset] {
        [
            brokenDataset(NoPrimaryKey.self), brokenDataset(InjectedTableName.self),
            brokenDataset(CamelCaseColumn.self), brokenDataset(DuplicateColumn.self),
            brokenDataset(NoChecksum.self), brokenDataset(NoIngestedAt.self),
            brokenDataset(OptionalKey.self),
        ]
    }
}

@Suite struct ConfigValidationTests {
    static let cases: [(dataset: String, config: String, expected: [String])] = [
        ("no_key", "NoPrimaryKey", ["no primary key", "primaryKey: true"]),
        ("injected", "InjectedTableName", ["\"orders; drop table x\" is not a safe snake_case identifier", "orders_drop_table_x"]),
        ("camel", "CamelCaseColumn", ["column \"fullName\"", "full_name"]),
        ("duplicate", "DuplicateColumn", ["column \"id\" is declared twice"]),
        ("no_checksum", "NoChecksum", ["no checksum column", ".checksum()"]),
        ("no_ingested_at", "NoIngestedAt", ["no ingested-at column", ".ingestedAt()"]),
        ("optional_key", "OptionalKey", ["primary key column \"id\" is filled from an optional field", "non-optional"]),
    ]

    @Test(arguments: WarehouseKind.allCases, cases.indices)
    func brokenConfigIsRefusedBeforeAnyStoreIsTouched(_ kind: WarehouseKind, _ index: Int) async throws {
        let (dataset, config, expected) = Self.cases[index]
        let test = try await TestPlatform.make(kind)
        let registry = SourceRegistry([BrokenSource()])
        let error = await #expect(throws: IngestError.self) {
            _ = try await test.platform.run("broken.\(dataset)", in: registry)
        }
        let text = try #require(error).description
        #expect(text.contains(config), "the error names the config: \(text)")
        for part in expected { #expect(text.contains(part), "\(text) should contain \(part)") }
        #expect(try #require(error).fix != nil, "the error gives a fix")
        #expect(!FileManager.default.fileExists(atPath: test.home), "nothing was written under INGEST_HOME")
        if kind == .postgres {
            let tables = try await test.withWarehouse { try await $0.execute("SELECT count(*) AS n FROM pg_namespace WHERE nspname = 'broken'") }
            #expect(tables.first?["n"] == "0", "no schema was created")
        }
    }

    @Test func unknownSourceOrDatasetNamesWhatIsRegistered() throws {
        let registry = SourceRegistry([BrokenSource()])
        #expect(throws: IngestError.self) { try registry.dataset("nope.orders") }
        do {
            _ = try registry.dataset("nope.orders")
        } catch let error as IngestError {
            #expect(error.message.contains("source \"nope\" is not registered"))
            #expect(error.fix?.contains("RegisteredSources.swift") == true)
        }
        #expect(throws: IngestError.self) { try registry.dataset("broken.missing") }
        #expect(throws: IngestError.self) { try registry.dataset("no_dot") }
    }
}
