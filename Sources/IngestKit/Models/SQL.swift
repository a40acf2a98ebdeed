import IngestCommon

/// A model's SQL with typed references.
///
/// Written as a string literal with interpolations: `\(ref: StgOrders.self)`
/// for another model, `\(source: AcmePortalSource.orders)` (a dataset value) or `\(source: OrdersTable.self)` (a `SourceTableConfig`) for a silver table,
/// `\(Portable.hashedKey("status_name"))` for a dialect-specific helper. A
/// reference to a type that does not exist does not compile, and the graph's
/// edges are read from these segments without parsing any SQL.
public struct SQL: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    enum Segment: Sendable {
        case text(String)
        case ref(any Model.Type)
        case source(SourceRef)
        case portable(@Sendable (SQLDialect) -> String)
        /// The model's own published relation (for incremental filters).
        case this
        /// Rendered only when an incremental model adds to an existing table.
        case incrementalOnly(SQL)
    }

    var segments: [Segment]

    public init(stringLiteral value: String) {
        segments = [.text(value)]
    }

    public init(stringInterpolation: StringInterpolation) {
        segments = stringInterpolation.segments
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var segments: [Segment] = []

        public init(literalCapacity: Int, interpolationCount: Int) {}

        public mutating func appendLiteral(_ literal: String) {
            segments.append(.text(literal))
        }

        /// Another model, e.g. `\(ref: StgAcmePortalOrders.self)`.
        public mutating func appendInterpolation<M: Model>(ref model: M.Type) {
            segments.append(.ref(model))
        }

        /// A silver table, e.g. `\(source: OrdersTable.self)`.
        public mutating func appendInterpolation<C: SourceTableConfig>(source config: C.Type) {
            segments.append(.source(SourceRef(config)))
        }

        /// A dataset's silver table, e.g. `\(source: MySourceSource.orders)`.
        public mutating func appendInterpolation(source dataset: Dataset) {
            segments.append(.source(SourceRef(dataset)))
        }

        /// A portable helper (see `Portable`).
        public mutating func appendInterpolation(_ fragment: SQLFragment) {
            segments.append(.portable(fragment.render))
        }

        /// The relation this model publishes to, for incremental filters.
        public mutating func appendInterpolation(this _: ThisRelation) {
            segments.append(.this)
        }

        /// SQL used only when an incremental model adds to its existing table (the "only new rows" filter).
        public mutating func appendInterpolation(incremental sql: SQL) {
            segments.append(.incrementalOnly(sql))
        }

        /// Plain SQL text (identifiers, keywords) built in Swift.
        public mutating func appendInterpolation(raw text: String) {
            segments.append(.text(text))
        }
    }

    /// `parts` one after another with `separator` between them, their references kept: for a model over a
    /// list, e.g. the `union all` of one staging model per store (`AcmeStoresSource`'s `int_acme_stores__sales`).
    public static func joined(_ parts: [SQL], separator: String) -> SQL {
        var joined = SQL(stringLiteral: "")
        joined.segments = []
        for (index, part) in parts.enumerated() {
            if index > 0 { joined.segments.append(.text(separator)) }
            joined.segments += part.segments
        }
        return joined
    }

    /// Models this SQL references.
    public var refs: [any Model.Type] {
        segments.flatMap { segment -> [any Model.Type] in
            switch segment {
            case .ref(let model): return [model]
            case .incrementalOnly(let inner): return inner.refs
            default: return []
            }
        }
    }

    /// Silver tables this SQL reads.
    public var sources: [SourceRef] {
        segments.flatMap { segment -> [SourceRef] in
            switch segment {
            case .source(let source): return [source]
            case .incrementalOnly(let inner): return inner.sources
            default: return []
            }
        }
    }

    /// The SQL as text for one dialect, with references resolved by `context`.
    public func render(_ context: RenderContext) -> String {
        segments.map { segment in
            switch segment {
            case .text(let text): return text
            case .ref(let model): return context.relation(model.name)
            case .source(let source): return context.dialect.qualified(source.schema, source.table)
            case .portable(let render): return render(context.dialect)
            case .this: return context.this ?? "/* this */"
            case .incrementalOnly(let inner): return context.isIncremental ? inner.render(context) : ""
            }
        }.joined()
    }

    public var description: String {
        render(RenderContext(dialect: .postgres, relation: { "{{ ref('\($0)') }}" }))
    }
}

/// Marker for `\(this: .model)`.
public enum ThisRelation: Sendable { case model }

/// How references resolve when SQL is rendered.
public struct RenderContext: Sendable {
    public var dialect: SQLDialect
    /// The quoted relation a model name resolves to (published or shadow).
    public var relation: @Sendable (String) -> String
    public var this: String?
    public var isIncremental: Bool

    public init(dialect: SQLDialect, relation: @escaping @Sendable (String) -> String, this: String? = nil, isIncremental: Bool = false) {
        self.dialect = dialect
        self.relation = relation
        self.this = this
        self.isIncremental = isIncremental
    }
}

/// A reference from a model to a silver table.
public struct SourceRef: Sendable, Hashable {
    public var sourceName: String
    public var dataset: String
    public var schema: String
    public var table: String

    public init<C: SourceTableConfig>(_ config: C.Type) {
        sourceName = config.sourceName
        dataset = config.dataset
        schema = config.schema
        table = config.table
    }

    public init(_ dataset: Dataset) {
        sourceName = dataset.source
        self.dataset = dataset.name
        schema = dataset.schema
        table = dataset.table
    }

    public var qualifiedName: String { "\(sourceName).\(dataset)" }
}

/// SQL that differs per dialect, produced by `Portable`.
public struct SQLFragment: Sendable {
    public let render: @Sendable (SQLDialect) -> String
    public init(_ render: @escaping @Sendable (SQLDialect) -> String) { self.render = render }
}
