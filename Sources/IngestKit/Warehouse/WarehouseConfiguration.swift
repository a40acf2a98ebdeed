import Foundation
import IngestCommon

/// Which warehouse to use, from `WAREHOUSE_URL` (unset: SQLite under `INGEST_HOME`).
public enum WarehouseConfiguration: Sendable, Equatable {
    case sqlite(directory: String)
    case postgres(PostgresURL)

    public struct PostgresURL: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String?
        public var database: String
        public var requireTLS: Bool

        /// `user@host:port/db`, never the password.
        public var display: String { "\(user)@\(host):\(port)/\(database)" }
    }

    public static func from(_ settings: Settings, home: String) throws -> WarehouseConfiguration {
        guard let url = settings["WAREHOUSE_URL"] else {
            return .sqlite(directory: (home as NSString).appendingPathComponent("warehouse"))
        }
        return .postgres(try parsePostgres(url))
    }

    /// Parses `postgres://user:pass@host:port/db[?sslmode=require]`; errors name WAREHOUSE_URL and never show the password.
    /// A password that is not percent-encoded is refused first, naming only host, port, user and database.
    public static func parsePostgres(_ text: String) throws -> PostgresURL {
        let shape = "postgres://user:password@host:5432/database"
        try checkPasswordEncoding(text)
        guard let parts = URLComponents(string: text), let scheme = parts.scheme,
              scheme == "postgres" || scheme == "postgresql" else {
            throw IngestError("WAREHOUSE_URL is not a postgres:// URL", fix: "write it as \(shape), or unset it to use the embedded SQLite warehouse")
        }
        if let password = parts.password { Redactor.shared.register(password.removingPercentEncoding ?? password) }
        guard let host = parts.host, !host.isEmpty else {
            throw IngestError("WAREHOUSE_URL has no host", fix: "write it as \(shape)")
        }
        guard let user = parts.user, !user.isEmpty else {
            throw IngestError("WAREHOUSE_URL has no user (Postgres user not set)", fix: "write it as \(shape)")
        }
        let database = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        guard !database.isEmpty else {
            throw IngestError("WAREHOUSE_URL has no database name", fix: "write it as \(shape)")
        }
        let sslmode = parts.queryItems?.first { $0.name == "sslmode" }?.value
        return PostgresURL(
            host: host, port: parts.port ?? 5432,
            user: user.removingPercentEncoding ?? user,
            password: parts.password?.removingPercentEncoding ?? parts.password,
            database: database, requireTLS: sslmode == "require" || sslmode == "verify-full")
    }
}
