import IngestCommon

/// A validated silver table: names and column types only, no row type.
///
/// Creating one is the gate every config passes before any store is touched:
/// a config that cannot work is refused here with an error naming the config
/// and the fix.
public struct TableSchema: Sendable, Hashable {
    public struct ColumnSpec: Sendable, Hashable {
        public var name: String
        public var type: ColumnType
        public var primaryKey: Bool
        public var index: Bool
        public var notNull: Bool
    }

    public var sourceName: String
    public var dataset: String
    public var schema: String
    public var table: String
    public var columns: [ColumnSpec]
    public var checksumColumn: String
    public var ingestedAtColumn: String
    public var bronzePathColumn: String?

    public var primaryKey: [String] { columns.filter(\.primaryKey).map(\.name) }
    /// Columns the loader writes (every column but ingested-at, which the database fills).
    public var loadedColumns: [ColumnSpec] { columns.filter { $0.name != ingestedAtColumn } }
    public var qualifiedName: String { "\(sourceName).\(dataset)" }

    public init(validating config: (some SourceTableConfig).Type) throws {
        try self.init(validating: config.columns, label: "SourceTableConfig \(config) (\(config.sourceName).\(config.dataset))",
                      sourceName: config.sourceName, dataset: config.dataset, schema: config.schema, table: config.table)
    }

    /// Validates a table given by its columns; errors start with `label` (e.g. `dataset acme_portal.orders`).
    public init<Row>(validating columns: [Column<Row>], label name: String, sourceName: String, dataset: String,
                     schema: String, table: String) throws {
        func refuse(_ message: String, fix: String) -> IngestError {
            IngestError("\(name): \(message)", fix: fix)
        }
        for (label, value) in [("sourceName", sourceName), ("dataset", dataset), ("schema", schema), ("table", table)] {
            guard Identifier.isSafe(value) else {
                throw refuse("\(label) \"\(value)\" is not a safe snake_case identifier",
                             fix: "use lower-case letters, digits and _ only, e.g. \"\(Identifier.suggestion(for: value))\"")
            }
        }
        var seen = Set<String>()
        for column in columns {
            guard Identifier.isSafe(column.name) else {
                throw refuse("column \"\(column.name)\" is not a safe snake_case identifier",
                             fix: "rename it to \"\(Identifier.suggestion(for: column.name))\"")
            }
            guard seen.insert(column.name).inserted else {
                throw refuse("column \"\(column.name)\" is declared twice", fix: "remove or rename one of the two")
            }
            if column.primaryKey, column.isOptionalField {
                throw refuse("primary key column \"\(column.name)\" is filled from an optional field (\(column.swiftType))",
                             fix: "make the row field non-optional: a primary key is never NULL")
            }
        }
        guard columns.contains(where: \.primaryKey) else {
            throw refuse("no primary key column defined",
                         fix: "add primaryKey: true to the natural key column, e.g. Column(\"entity_id\", \\.entityId, primaryKey: true)")
        }
        let checksums = columns.filter { if case .checksum = $0.role { true } else { false } }
        let ingestedAts = columns.filter { if case .ingestedAt = $0.role { true } else { false } }
        let bronzePaths = columns.filter { if case .bronzeObjectPath = $0.role { true } else { false } }
        guard checksums.count == 1 else {
            throw refuse(checksums.isEmpty ? "no checksum column" : "more than one checksum column",
                         fix: "declare exactly one .checksum() column (named checksum_sha256 by default)")
        }
        guard ingestedAts.count == 1 else {
            throw refuse(ingestedAts.isEmpty ? "no ingested-at column" : "more than one ingested-at column",
                         fix: "declare exactly one .ingestedAt() column (named ingested_at by default)")
        }
        guard bronzePaths.count <= 1 else {
            throw refuse("more than one bronze object path column", fix: "declare .bronzeObjectPath() once")
        }
        guard columns.contains(where: { if case .data = $0.role { true } else { false } }) else {
            throw refuse("no data columns", fix: "declare the row's fields with Column(\"name\", \\.field)")
        }
        self.sourceName = sourceName
        self.dataset = dataset
        self.schema = schema
        self.table = table
        self.columns = columns.map {
            ColumnSpec(name: $0.name, type: $0.type, primaryKey: $0.primaryKey, index: $0.index, notNull: $0.notNull)
        }
        self.checksumColumn = checksums[0].name
        self.ingestedAtColumn = ingestedAts[0].name
        self.bronzePathColumn = bronzePaths.first?.name
    }
}
