import Foundation

extension PostgresWarehouse {
    /// Testing API (the tests and `ingestbench`): creates an empty database named `<prefix>_<random>` on the server of `baseURL` and returns
    /// its URL: tests and benchmarks get a database of their own on one server.
    public static func createScratchDatabase(baseURL: String, prefix: String) async throws -> String {
        let name = prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let admin = try await PostgresWarehouse.connect(try WarehouseConfiguration.parsePostgres(baseURL))
        do {
            try await admin.execute("CREATE DATABASE \(name)")
        } catch {
            await admin.close()
            throw error
        }
        await admin.close()
        var parts = URLComponents(string: baseURL)!
        parts.path = "/" + name
        return parts.string!
    }
}
