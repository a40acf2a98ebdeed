import Foundation
import IngestCommon

/// Which build of each model is published, in `staging.model_publishes`: one row a model, with when the
/// build that published it started and its invocation id.
///
/// Publishing skips a model that a build started later already published, with the models of the set built
/// from it: that newer build built them too, from silver at least as new. So a slow build never replaces the
/// marts of a faster, later one (runs of several datasets whose models share marts, at once). On PostgreSQL
/// each model is locked for the publish transaction (`pg_advisory_xact_lock`, in name order, so two publishers
/// never deadlock) and the start is the server's clock; on SQLite the publish transaction is the one writer and
/// the start is this machine's clock, in microseconds.
struct ModelPublishes: Sendable {
    static let schema = "staging"
    static let table = "model_publishes"

    static func createStatements(_ dialect: SQLDialect) -> [String] {
        let time = dialect == .postgres ? "timestamptz" : "text"
        return (dialect == .postgres ? ["CREATE SCHEMA IF NOT EXISTS \(dialect.quote(schema))"] : []) + [
            """
            CREATE TABLE IF NOT EXISTS \(dialect.qualified(schema, table)) (
                "model" text PRIMARY KEY,
                "built_at" \(time) NOT NULL,
                "invocation_id" text NOT NULL,
                "published_at" \(time) NOT NULL
            )
            """,
        ]
    }

    /// A model's row: its published relation as `schema.name`.
    static func key(_ relation: (schema: String, name: String)) -> String { relation.schema + "." + relation.name }

    /// When this build started: the server's clock (`timestamptz` text) on PostgreSQL, on SQLite this machine's
    /// (`localNow()`, compared as text).
    let builtAt: String
    let invocationId: String
    let dialect: SQLDialect

    var name: String { dialect.qualified(Self.schema, Self.table) }
    var timestamp: String { dialect == .postgres ? "CAST(%@ AS timestamptz)" : "%@" }

    /// Creates the table when missing and notes when this build started.
    static func start(invocationId: String, in warehouse: any Warehouse) async throws -> ModelPublishes {
        let dialect = warehouse.dialect
        if dialect != .postgres { try await warehouse.ensureSchema(schema) }
        try await warehouse.ensureCatalog((schema, table), createStatements(dialect))
        guard dialect == .postgres else {
            return ModelPublishes(builtAt: localNow(), invocationId: invocationId, dialect: dialect)
        }
        let now = try await warehouse.execute("SELECT clock_timestamp()::text AS now").first?["now"]
        guard let now else { throw IngestError("the warehouse did not say what time it is", fix: "check the PostgreSQL server") }
        return ModelPublishes(builtAt: now, invocationId: invocationId, dialect: dialect)
    }

    /// This machine's clock in UTC with microseconds (`LocalTimestamp`'s text: a whole second has no fraction and
    /// is a prefix of the same second's later times, so text order is time order).
    static func localNow() -> String { LocalTimestamp(Date()).description }

    /// Locks `models` (published names, `schema.name`) until the transaction ends and returns those a newer build published.
    func lock(_ models: [String], in session: any SQLSession) async throws -> Set<String> {
        if dialect == .postgres {
            for model in models.sorted() {
                try await session.execute("""
                    SELECT 1 AS ok FROM (SELECT pg_advisory_xact_lock(('x' || substr(md5(\(text: "ingestkit:model:" + model)), 1, 16))::bit(64)::bigint)) AS locked
                    """)
            }
        }
        guard !models.isEmpty else { return [] }
        let list = models.map(dialect.literal).joined(separator: ", ")
        let newer = try await session.execute("""
            SELECT "model" FROM \(raw: name)
            WHERE "model" IN (\(raw: list)) AND "built_at" > \(raw: timestamp.replacingOccurrences(of: "%@", with: dialect.literal(builtAt)))
            """)
        return Set(newer.compactMap { $0["model"] })
    }

    /// Notes that this build published `models`.
    func record(_ models: [String], in session: any SQLSession) async throws {
        let built = timestamp.replacingOccurrences(of: "%@", with: dialect.literal(builtAt))
        let published = dialect == .postgres ? "clock_timestamp()" : dialect.literal(Self.localNow())
        for model in models {
            try await session.execute("""
                INSERT INTO \(raw: name) ("model", "built_at", "invocation_id", "published_at")
                VALUES (\(text: model), \(raw: built), \(text: invocationId), \(raw: published))
                ON CONFLICT ("model") DO UPDATE SET "built_at" = excluded."built_at", "invocation_id" = excluded."invocation_id",
                    "published_at" = excluded."published_at"
                """)
        }
    }
}
