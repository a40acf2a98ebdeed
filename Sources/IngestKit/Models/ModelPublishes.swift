import IngestCommon

/// Which build of each model is published, in `staging.model_publishes` (PostgreSQL): one row a model,
/// with when the build that published it started (the server's clock) and its invocation id.
///
/// Publishing takes a transaction-level advisory lock per model (`pg_advisory_xact_lock`, in name order,
/// so two publishers never deadlock) and skips a model that a build started later already published,
/// with the models of the set built from it: that newer build built them too. SQLite needs none of it:
/// its one writer serializes publishes.
struct ModelPublishes: Sendable {
    static let schema = "staging"
    static let table = "model_publishes"
    static var name: String { SQLDialect.postgres.qualified(schema, table) }

    static let createStatements = [
        "CREATE SCHEMA IF NOT EXISTS \(SQLDialect.postgres.quote(schema))",
        """
        CREATE TABLE IF NOT EXISTS \(name) (
            "model" text PRIMARY KEY,
            "built_at" timestamptz NOT NULL,
            "invocation_id" text NOT NULL,
            "published_at" timestamptz NOT NULL
        )
        """,
    ]

    /// A model's row: its published relation as `schema.name`.
    static func key(_ relation: (schema: String, name: String)) -> String { relation.schema + "." + relation.name }

    /// When this build started, as the server's clock says (`timestamptz` text).
    let builtAt: String
    let invocationId: String

    /// Creates the table when missing and reads the server's clock; `nil` on SQLite.
    static func start(invocationId: String, in warehouse: any Warehouse) async throws -> ModelPublishes? {
        guard warehouse.dialect == .postgres else { return nil }
        try await warehouse.ensureCatalog((schema, table), createStatements)
        let now = try await warehouse.execute("SELECT clock_timestamp()::text AS now").first?["now"]
        guard let now else { throw IngestError("the warehouse did not say what time it is", fix: "check the PostgreSQL server") }
        return ModelPublishes(builtAt: now, invocationId: invocationId)
    }

    /// Locks `models` (published names, `schema.name`) until the transaction ends and returns those a newer build published.
    func lock(_ models: [String], in session: any SQLSession) async throws -> Set<String> {
        for model in models.sorted() {
            try await session.execute("""
                SELECT 1 AS ok FROM (SELECT pg_advisory_xact_lock(('x' || substr(md5(\(text: "ingestkit:model:" + model)), 1, 16))::bit(64)::bigint)) AS locked
                """)
        }
        let newer = try await session.execute("""
            SELECT "model" FROM \(raw: Self.name)
            WHERE "model" = ANY(string_to_array(\(text: models.joined(separator: ",")), ',')) AND "built_at" > CAST(\(text: builtAt) AS timestamptz)
            """)
        return Set(newer.compactMap { $0["model"] })
    }

    /// Notes that this build published `models`.
    func record(_ models: [String], in session: any SQLSession) async throws {
        for model in models {
            try await session.execute("""
                INSERT INTO \(raw: Self.name) ("model", "built_at", "invocation_id", "published_at")
                VALUES (\(text: model), CAST(\(text: builtAt) AS timestamptz), \(text: invocationId), clock_timestamp())
                ON CONFLICT ("model") DO UPDATE SET "built_at" = excluded."built_at", "invocation_id" = excluded."invocation_id",
                    "published_at" = excluded."published_at"
                """)
        }
    }
}
