import Foundation
import IngestKit
import IngestTesting

extension TestPlatform {
    /// A new login role on the test's PostgreSQL allowed `connections` sessions at once (past it the server answers
    /// 53300, as at `max_connections`), and the test's `WAREHOUSE_URL` logging in as it; `drop` removes the role.
    public func connectionLimitedRole(_ connections: Int) async throws -> (url: String, drop: @Sendable () async throws -> Void) {
        let role = "limited_\(UUID().uuidString.prefix(8).lowercased())"
        let password = "limited-pw-\(role.suffix(8))"
        guard var url = settings["WAREHOUSE_URL"].flatMap(URLComponents.init(string:)) else {
            throw IngestError("the test platform has no PostgreSQL WAREHOUSE_URL", fix: "make it with TestPlatform.make(.postgres)")
        }
        try await withWarehouse { try await $0.execute("CREATE ROLE \(role) LOGIN PASSWORD '\(password)' CONNECTION LIMIT \(connections)") }
        url.user = role
        url.password = password
        let test = self
        return (url.string ?? "", { _ = try await test.withWarehouse { try await $0.execute("DROP ROLE \(role)") } })
    }
}
