import IngestCommon

/// A data test: SQL that returns the failing rows; none means it passes.
public struct DataTest: Sendable {
    public enum Severity: String, Sendable, Codable { case warn, error }

    public enum Kind: Sendable {
        case notNull
        case unique
        case acceptedValues([String])
        /// Every non-NULL value of the column exists in `field` of `model`.
        case relationships(to: any Model.Type, field: String)
        /// SQL returning the failing rows.
        case custom(name: String, SQL)
    }

    public var kind: Kind
    public var severity: Severity

    public init(_ kind: Kind, severity: Severity = .error) {
        self.kind = kind
        self.severity = severity
    }

    public static let notNull = DataTest(.notNull)
    public static let unique = DataTest(.unique)
    public static func acceptedValues(_ values: [String], severity: Severity = .error) -> DataTest {
        DataTest(.acceptedValues(values), severity: severity)
    }
    public static func relationships<M: Model>(to model: M.Type, field: String, severity: Severity = .error) -> DataTest {
        DataTest(.relationships(to: model, field: field), severity: severity)
    }
    public static func custom(_ name: String, severity: Severity = .error, _ sql: SQL) -> DataTest {
        DataTest(.custom(name: name, sql), severity: severity)
    }

    public func warn() -> DataTest { DataTest(kind, severity: .warn) }

    /// Models the test reads besides its own.
    var refs: [any Model.Type] {
        switch kind {
        case .relationships(let model, _): return [model]
        case .custom(_, let sql): return sql.refs
        default: return []
        }
    }

    /// dbt-style test name, e.g. `not_null_dim_status_status_sk`.
    public func name(model: String, column: String?) -> String {
        let suffix = column.map { "_\($0)" } ?? ""
        switch kind {
        case .notNull: return "not_null_\(model)\(suffix)"
        case .unique: return "unique_\(model)\(suffix)"
        case .acceptedValues: return "accepted_values_\(model)\(suffix)"
        case .relationships(let to, let field): return "relationships_\(model)\(suffix)__\(field)__\(to.name)"
        case .custom(let name, _): return name
        }
    }

    /// The SQL returning failing rows, with `relation` the tested model's relation.
    func failingRowsSQL(relation: String, column: String?, context: RenderContext) -> String {
        let q = context.dialect.quote
        let col = column.map(q) ?? "*"
        switch kind {
        case .notNull:
            return "select * from \(relation) where \(col) is null"
        case .unique:
            return "select \(col), count(*) as n_records from \(relation) where \(col) is not null group by \(col) having count(*) > 1"
        case .acceptedValues(let values):
            let list = values.map(context.dialect.literal).joined(separator: ", ")
            return "select \(col), count(*) as n_records from \(relation) where \(col) is not null and cast(\(col) as text) not in (\(list)) group by \(col)"
        case .relationships(let model, let field):
            return """
                select child.\(col) from \(relation) as child
                left join \(context.relation(model.name)) as parent on child.\(col) = parent.\(q(field))
                where child.\(col) is not null and parent.\(q(field)) is null
                """
        case .custom(_, let sql):
            return sql.render(context)
        }
    }

    /// What to tell the user when the test fails (the guide's troubleshooting answers).
    func hint(model: String, column: String?) -> String? {
        switch kind {
        case .unique where model.hasPrefix("dim_"):
            return "duplicate rows in a dimension: the dimension key includes a per-row attribute; move the attribute to the fact or derive it from the key"
        case .notNull where column?.hasSuffix("_sk") == true && model.hasPrefix("fct_"):
            return "a fact's foreign key is NULL when the join to its dimension finds no row: check for NULLs and coalesce the natural key to a default in the intermediate model (Portable.blankToDefault)"
        case .relationships:
            return "the foreign key has values that are not in the dimension: check for NULLs and coalesce to a default in the intermediate model (Portable.blankToDefault), and build the dimension from the same intermediate model"
        default:
            return nil
        }
    }
}
