import Foundation
import IngestTestSupport

extension Ingestctl {
    /// The environment of an `ingestctl` run against the acme_portal demo API: `rows` orders served on a free
    /// port, on PostgreSQL a fresh database of its own (`TestPlatform.freshDatabase`), then `extra` on top.
    static func acmeDemoEnvironment(rows: Int, kind: WarehouseKind = .sqlite, _ extra: [String: String] = [:]) async throws -> [String: String] {
        var env = ["ACME_PORTAL_DEMO_ROWS": String(rows), "ACME_PORTAL_DEMO_PORT": String(try await freePort())]
        if kind == .postgres { env["WAREHOUSE_URL"] = try await TestPlatform.freshDatabase() }
        env.merge(extra) { _, new in new }
        return env
    }
}
