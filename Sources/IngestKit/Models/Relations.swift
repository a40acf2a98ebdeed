import IngestCommon
import Synchronization

/// Where a model's relations live: the published one users query, and the
/// shadow one a build writes and audits before publishing.
///
/// PostgreSQL keeps shadows in a schema of their own (`marts__shadow`) and
/// publishes with `SET SCHEMA`; SQLite, whose schemas are name prefixes in
/// one file, keeps them beside the published table as `__shadow__<name>` and
/// publishes with `RENAME`. Both publish inside one transaction.
struct Relations: Sendable {
    let warehouse: any Warehouse
    /// What exists, read once per invocation and kept up to date by this runner, to save a catalog query per step.
    let known = KnownRelations()
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

    enum Kind: Sendable { case table, view }

    /// Reads every relation of `schemas` in one query per dialect into `known`.
    func load(schemas: [String]) async throws {
        var found: [String: Kind] = [:]
        switch dialect {
        case .postgres:
            let list = schemas.map(dialect.literal).joined(separator: ", ")
            for row in try await warehouse.execute("""
                SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname IN (\(list)) AND c.relkind IN ('r', 'v', 'p', 'm')
                """) {
                found[KnownRelations.key(row["schema"] ?? "", row["name"] ?? "")] = row["kind"] == "v" ? .view : .table
            }
        case .sqlite:
            for schema in schemas {
                for row in try await warehouse.execute("SELECT name, type FROM \(dialect.quote(schema)).sqlite_master WHERE type IN ('table', 'view')") {
                    found[KnownRelations.key(schema, row["name"] ?? "")] = row["type"] == "view" ? .view : .table
                }
            }
        }
        known.reset(schemas: Set(schemas), relations: found)
    }

    /// Whether a relation exists, and as what.
    func kind(of relation: (schema: String, name: String), in session: any SQLSession) async throws -> Kind? {
        if let cached = known.lookup(relation) { return cached.kind }
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
        known.set(relation, nil)
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
            // `schema.name` maps to one table name in the warehouse file, so the new name is qualified too.
            try await session.execute("ALTER TABLE \(quoted(shadow)) RENAME TO \(quoted(target))")
        }
        known.set(shadow, nil)
        known.set(target, kind)
    }
}

/// The relations a runner knows to exist. A lookup answers only for schemas that were loaded.
final class KnownRelations: Sendable {
    private struct State {
        var schemas: Set<String> = []
        var relations: [String: Relations.Kind] = [:]
    }

    private let state = Mutex(State())

    static func key(_ schema: String, _ name: String) -> String { schema + "." + name }

    func reset(schemas: Set<String>, relations: [String: Relations.Kind]) {
        state.withLock { $0 = State(schemas: schemas, relations: relations) }
    }

    /// Forgets everything (after a rolled-back transaction), so lookups go to the catalog again.
    func invalidate() {
        state.withLock { $0 = State() }
    }

    /// `nil` when the schema was not loaded; otherwise the kind, `nil` inside when absent.
    func lookup(_ relation: (schema: String, name: String)) -> (kind: Relations.Kind?, Void)? {
        state.withLock { state in
            guard state.schemas.contains(relation.schema) else { return nil }
            return (state.relations[Self.key(relation.schema, relation.name)], ())
        }
    }

    func set(_ relation: (schema: String, name: String), _ kind: Relations.Kind?) {
        state.withLock { state in
            guard state.schemas.contains(relation.schema) else { return }
            state.relations[Self.key(relation.schema, relation.name)] = kind
        }
    }
}
