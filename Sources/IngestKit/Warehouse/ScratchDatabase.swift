import Foundation

extension PostgresWarehouse {
    /// Creates an empty database named `<prefix>_<random>` on the server of `baseURL` and returns
    /// its URL: tests (IngestTesting's `TestPlatform`) and benchmarks get a database of their own on one
    /// server, `ingestctl doctor` a scratch warehouse. Package access: not API for a source author.
    package static func createScratchDatabase(baseURL: String, prefix: String) async throws -> String {
        let name = prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try await administer(baseURL, "CREATE DATABASE \(name)")
        var parts = URLComponents(string: baseURL)!
        parts.path = "/" + name
        return parts.string!
    }

    /// Drops a database made by ``createScratchDatabase(baseURL:prefix:)`` (through a connection to
    /// `baseURL`'s database), ending its sessions first.
    package static func dropScratchDatabase(_ url: String, baseURL: String) async throws {
        let scratch = try WarehouseConfiguration.parsePostgres(url)
        try await administer(baseURL, "DROP DATABASE IF EXISTS \(SQLDialect.postgres.quote(scratch.database)) WITH (FORCE)")
    }

    /// Runs one statement on its own connection to `baseURL`'s database.
    private static func administer(_ baseURL: String, _ statement: String) async throws {
        let admin = try await PostgresWarehouse.connect(try WarehouseConfiguration.parsePostgres(baseURL))
        do {
            try await admin.execute(statement)
        } catch {
            await admin.close()
            throw error
        }
        await admin.close()
    }
}
