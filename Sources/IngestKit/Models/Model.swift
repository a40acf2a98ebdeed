import IngestCommon

/// The layers of the medallion's model part, each its own schema.
public enum ModelLayer: String, Sendable, Codable, CaseIterable {
    case staging
    case intermediate
    case marts

    public var schema: String { rawValue }

    /// Name prefixes a model of this layer must use.
    public var prefixes: [String] {
        switch self {
        case .staging: return ["stg_"]
        case .intermediate: return ["int_"]
        case .marts: return ["dim_", "fct_"]
        }
    }
}

/// How a model is stored.
public enum Materialization: Sendable, Equatable {
    /// A view (on SQLite, which cannot have views across attached schemas, a table rebuilt each run).
    case view
    /// A table rebuilt from scratch, swapped in atomically.
    case table
    /// A table that keeps its rows and adds or replaces only new ones, matched on `uniqueKey`;
    /// the model's SQL filters new rows with `\(incremental: "where …")`.
    case incremental(uniqueKey: [String])

    public var name: String {
        switch self {
        case .view: return "view"
        case .table: return "table"
        case .incremental: return "incremental"
        }
    }
}

/// A SQL transformation: the SDK's typed equivalent of a dbt model.
///
/// ```swift
/// enum DimStatus: Model {
///     static let name = "dim_status"
///     static let layer = ModelLayer.marts
///     static let sql: SQL = """
///         select distinct \(Portable.hashedKey("status_clean")) as status_sk, status_clean as status_name
///         from \(ref: IntAcmePortalOrdersEnriched.self)
///         """
///     static let columns = [ModelColumn("status_sk", "surrogate key", tests: [.notNull, .unique])]
/// }
/// ```
/// Dependencies come from the `ref`s and `source`s in `sql`.
public protocol Model: Sendable {
    static var name: String { get }
    static var layer: ModelLayer { get }
    static var materialization: Materialization { get }
    static var sql: SQL { get }
    static var tags: [String] { get }
    static var description: String { get }
    static var columns: [ModelColumn] { get }
    /// Model-level tests (custom SQL returning failing rows).
    static var tests: [DataTest] { get }
}

extension Model {
    /// Views in staging, tables elsewhere.
    public static var materialization: Materialization { layer == .staging ? .view : .table }
    public static var tags: [String] { [] }
    public static var description: String { "" }
    public static var columns: [ModelColumn] { [] }
    public static var tests: [DataTest] { [] }
}

/// A documented column of a model, with its data tests.
public struct ModelColumn: Sendable {
    public var name: String
    public var description: String
    public var tests: [DataTest]

    public init(_ name: String, _ description: String = "", tests: [DataTest] = []) {
        self.name = name
        self.description = description
        self.tests = tests
    }
}
