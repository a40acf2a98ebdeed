import IngestCommon
import Synchronization

/// Where a model's relations live: the published one users query, and the
/// shadow one a build writes and audits before publishing.
///
/// A shadow is named per invocation (`<model>__<invocation>`), so two builds of one model at once never
/// write the same relation. PostgreSQL keeps shadows in a schema of their own (`marts__shadow`) and
/// publishes with `SET SCHEMA` and `RENAME`; SQLite, whose schemas are name prefixes in one file, keeps
/// them beside the published table as `__shadow__<name>__<invocation>` and publishes with `RENAME` (each
/// warehouse's `DialectSQL` has its way). Both publish inside one transaction.
struct Relations: Sendable {
    let warehouse: any Warehouse
    /// This build's token (8 hex digits) in its shadows' names.
    let invocation: String
    /// What exists, read once per invocation and kept up to date by this runner, to save a catalog query per step.
    let known = KnownRelations()
    var dialect: SQLDialect { warehouse.dialect }

    func published(_ model: any Model.Type) -> (schema: String, name: String) {
        (model.layer.schema, model.name)
    }

    func shadow(_ model: any Model.Type) -> (schema: String, name: String) {
        dialect.sql.shadow(schema: model.layer.schema, name: model.name, invocation: invocation)
    }

    func quoted(_ relation: (schema: String, name: String)) -> String {
        dialect.qualified(relation.schema, relation.name)
    }

    /// Schemas a build needs.
    func schemas(for layers: Set<ModelLayer>) -> [String] {
        layers.sorted { $0.rawValue < $1.rawValue }.flatMap { layer in
            dialect.sql.schemas(forLayer: layer.schema)
        }
    }

    enum Kind: Sendable { case table, view }

    /// Reads every relation of `schemas` (one query on PostgreSQL, one a schema on SQLite) into `known`.
    func load(schemas: [String]) async throws {
        var found: [String: Kind] = [:]
        for statement in dialect.sql.relations(in: schemas) {
            for row in try await warehouse.execute(statement) {
                found[KnownRelations.key(row["schema"] ?? "", row["name"] ?? "")] = dialect.sql.isView(kind: row["kind"]) ? .view : .table
            }
        }
        known.reset(schemas: Set(schemas), relations: found)
    }

    /// Whether a relation exists, and as what.
    func kind(of relation: (schema: String, name: String), in session: any SQLSession) async throws -> Kind? {
        if let cached = known.lookup(relation) { return cached.kind }
        return try await catalogKind(of: relation, in: session)
    }

    /// Whether a relation exists, and as what, as the catalog says in `session`.
    func catalogKind(of relation: (schema: String, name: String), in session: any SQLSession) async throws -> Kind? {
        let rows = try await session.execute(dialect.sql.relationKind(schema: relation.schema, name: relation.name))
        return rows.first.map { dialect.sql.isView(kind: $0["kind"]) ? .view : .table }
    }

    /// Drops `relation` if it exists. `readingCatalog`: asks the catalog in `session` rather than `known`, for a
    /// published relation in the publish transaction: another build may have published it since this one read the catalog.
    func drop(_ relation: (schema: String, name: String), in session: any SQLSession, readingCatalog: Bool = false) async throws {
        guard let kind = try await (readingCatalog ? catalogKind(of: relation, in: session) : kind(of: relation, in: session)) else { return }
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
        for statement in dialect.sql.publish(shadow: shadow, as: target, isView: kind == .view) { try await session.execute(statement) }
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
