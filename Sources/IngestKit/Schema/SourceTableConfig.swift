import IngestCommon

/// The silver table of one dataset: where it lives and which columns it has.
///
/// ```swift
/// enum OrdersTable: SourceTableConfig {
///     static let sourceName = "acme_portal"
///     static let dataset = "orders"
///     static let columns: [Column<OrderRow>] = [
///         Column("entity_id", \.entityId, primaryKey: true),
///         Column("status", \.status, index: true),
///         .bronzeObjectPath(), .checksum(), .ingestedAt(),
///     ]
/// }
/// ```
/// Several datasets of one source share its schema (by default the source name).
public protocol SourceTableConfig: Sendable {
    /// The typed row a parser produces for this table.
    associatedtype Row: Sendable
    static var sourceName: String { get }
    static var dataset: String { get }
    /// Warehouse schema; defaults to `sourceName`.
    static var schema: String { get }
    /// Table name; defaults to `dataset`.
    static var table: String { get }
    static var columns: [Column<Row>] { get }
}

extension SourceTableConfig {
    public static var schema: String { sourceName }
    public static var table: String { dataset }
    /// `source.dataset`, the name users type on the command line.
    public static var qualifiedName: String { "\(sourceName).\(dataset)" }

    /// The table as the stores see it, after every check that can refuse the config.
    public static func tableSchema() throws -> TableSchema {
        try TableSchema(validating: Self.self)
    }
}
