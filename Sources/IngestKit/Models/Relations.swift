import IngestCommon

/// Where a model's relations live: the published one users query, and the
/// shadow one a build writes and audits before publishing.
///
/// PostgreSQL keeps shadows in a schema of their own (`marts__shadow`) and
/// publishes with `SET SCHEMA`; SQLite, whose schemas are attached files,
/// keeps them beside the published table as `__shadow__<name>` and publishes
/// with `RENAME`. Both publish inside one transaction.
struct Relations: Sendable {
    let warehouse: any Warehouse
    var dialect: SQLDialect { warehouse.dialect }

    static let shadowSuffix = "__shadow"
    static let shadowPrefix = "__shadow__"

    func published(_ model: any Model.Type) -> (schema: String, name: String) {
        (model.layer.schema, model.name)
    }

    func shadow(_ model: any Model.Type) -> (schema: String, name: String) {
        switch dialect {
        case .postgres: return (model.layer.schema + Self.shadowSuffix, model.name)
        case .sqlite: return (model.layer.schema, Self.shadowPrefix + model.name)
        }
    }

    func quoted(_ relation: (schema: String, name: String)) -> String {
        dialect.qualified(relation.schema, relation.name)
    }

    /// Schemas a build needs.
    func schemas(for layers: Set<ModelLayer>) -> [String] {
        layers.sorted { $0.rawValue < $1.rawValue }.flatMap { layer in
            dialect == .postgres ? [layer.schema, layer.schema + Self.shadowSuffix] : [layer.schema]
        }
    }

    enum Kind { case table, view }

    /// Whether a relation exists, and as what.
    func kind(of relation: (schema: String, name: String), in session: any SQLSession) async throws -> Kind? {
        let rows: [ResultRow]
        switch dialect {
        case .postgres:
            rows = try await session.execute("""
                SELECT c.relkind::text AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = $1::text AND c.relname = $2::text AND c.relkind IN ('r', 'v', 'p', 'm')
                """, [.text(relation.schema), .text(relation.name)])
            return rows.first.map { $0["kind"] == "v" ? .view : .table }
        case .sqlite:
            rows = try await session.execute(
                "SELECT type AS kind FROM \(dialect.quote(relation.schema)).sqlite_master WHERE name = ?1 AND type IN ('table', 'view')",
                [.text(relation.name)])
            return rows.first.map { $0["kind"] == "view" ? .view : .table }
        }
    }

    func drop(_ relation: (schema: String, name: String), in session: any SQLSession) async throws {
        guard let kind = try await kind(of: relation, in: session) else { return }
        try await session.execute("DROP \(kind == .view ? "VIEW" : "TABLE") \(quoted(relation))")
    }

    /// Replaces the published relation with the shadow one.
    func publish(_ model: any Model.Type, in session: any SQLSession) async throws {
        let shadow = shadow(model)
        let target = published(model)
        guard let kind = try await kind(of: shadow, in: session) else {
            throw IngestError("model \(model.name) has no built shadow relation to publish", fix: "build it again")
        }
        switch dialect {
        case .postgres:
            try await session.execute("ALTER \(kind == .view ? "VIEW" : "TABLE") \(quoted(shadow)) SET SCHEMA \(dialect.quote(target.schema))")
        case .sqlite:
            try await session.execute("ALTER TABLE \(quoted(shadow)) RENAME TO \(dialect.quote(target.name))")
        }
    }
}
