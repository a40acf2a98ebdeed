import Foundation
import IngestCommon
import SQLiteNIO

/// Moves an embedded warehouse from the earlier layout — `main.sqlite` plus one
/// attached file per schema (`acme_portal.sqlite`, `staging.sqlite`, …), which
/// stopped at 10 schemas — into the one file `warehouse.sqlite`, once.
///
/// Safe to interrupt: the new file is written as `warehouse.sqlite.migrating`,
/// each table's rows are counted on both sides, and only a complete copy is
/// renamed into place. The earlier files are then moved, untouched, into
/// `previous-layout/` beside it (delete that folder once you no longer need it).
/// Two processes opening the folder at once migrate it once (a `flock` on
/// `locks/warehouse-layout.lock`).
struct SQLiteLayoutMigration {
    let directory: String

    static let legacyMainFile = "main.sqlite"
    static let backupFolder = "previous-layout"

    var target: String { SQLiteWarehouse.file(in: directory) }
    var backup: String { path(Self.backupFolder) }

    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// `main.sqlite` marks the earlier layout; its schema files are the `<schema>.sqlite` beside it.
    func legacySchemaFiles() -> [(schema: String, file: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.sorted().compactMap { name in
            guard name.hasSuffix(".sqlite"), name != Self.legacyMainFile, name != SQLiteWarehouse.fileName else { return nil }
            let schema = String(name.dropLast(".sqlite".count))
            return Identifier.isSafe(schema) ? (schema, name) : nil
        }
    }

    var isNeeded: Bool { FileManager.default.fileExists(atPath: path(Self.legacyMainFile)) }

    func runIfNeeded(say: @escaping @Sendable (String) -> Void) async throws {
        guard isNeeded else { return }
        let lock = try await FileDatasetLock.acquire(directory: directory, name: "warehouse-layout", waitSeconds: 3600) { _ in
            say("another process is moving the SQLite warehouse in \(directory) into one file: waiting for it")
        }
        do {
            if isNeeded { try await migrate(say: say) }
            await lock.release()
        } catch {
            await lock.release()
            throw error
        }
    }

    func migrate(say: @Sendable (String) -> Void) async throws {
        let files = legacySchemaFiles()
        if !FileManager.default.fileExists(atPath: target) {
            say("the SQLite warehouse in \(directory) has one file per schema (\(files.map(\.file).joined(separator: ", "))): "
                + "moving it into one file, \(SQLiteWarehouse.fileName), once")
            let copied = try await copy([(schema: "main", file: Self.legacyMainFile)] + files)
            say("moved \(copied.tables) tables (\(copied.rows) rows) of \(files.count) schemas into \(target)"
                + (copied.skipped.isEmpty ? "" : "; not moved (recreate them if you need them): " + copied.skipped.joined(separator: ", ")))
        }
        try moveAside([Self.legacyMainFile] + files.map(\.file))
        say("the files of the earlier layout are kept in \(backup): delete that folder once you no longer need it")
    }

    struct Copied { var tables = 0; var rows = 0; var skipped: [String] = [] }

    /// Copies every table and index of the legacy files into a new file, then renames it into place.
    func copy(_ files: [(schema: String, file: String)]) async throws -> Copied {
        let partial = target + ".migrating"
        for leftover in [partial, partial + "-journal"] { try? FileManager.default.removeItem(atPath: leftover) }
        let connection: SQLiteConnection = try await SQLiteConnection.open(storage: .file(path: partial))
        var copied = Copied()
        do {
            for (schema, file) in files {
                try await copy(schema: schema, file: path(file), into: connection, counting: &copied)
            }
            try await connection.close()
        } catch {
            try? await connection.close()
            try? FileManager.default.removeItem(atPath: partial)
            throw IngestError("could not move the SQLite warehouse in \(directory) into one file, nothing was changed: \(error)",
                              fix: "free disk space or make the folder writable, then run again; the earlier files are untouched")
        }
        try FileManager.default.moveItem(atPath: partial, toPath: target)
        return copied
    }

    private func copy(schema: String, file: String, into connection: SQLiteConnection, counting copied: inout Copied) async throws {
        let dialect = SQLDialect.sqlite
        func run(_ sql: String) async throws -> [SQLiteRow] {
            do { return try await connection.query(sql, []) } catch {
                throw IngestError("\(error) (in: \(sql.prefix(200)))")
            }
        }
        func newName(_ name: String) -> String {
            SQLiteRelationNames.quoted(schema == "main" ? name : SQLiteRelationNames.tableName(schema: schema, name: name))
        }
        _ = try await run("ATTACH DATABASE \(dialect.literal(file)) AS legacy")
        do {
            _ = try await run("BEGIN IMMEDIATE")
            let entries = try await run("""
                SELECT type, name, tbl_name, sql FROM legacy.sqlite_master
                WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
                ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, name
                """)
            for entry in entries {
                let type = entry.column("type")?.string ?? ""
                let name = entry.column("name")?.string ?? ""
                let table = entry.column("tbl_name")?.string ?? ""
                let sql = entry.column("sql")?.string ?? ""
                // Names are snake_case identifiers, so the first "(" opens the column (or index key) list.
                guard let paren = sql.firstIndex(of: "("), type == "table" || type == "index" else {
                    copied.skipped.append("\(schema).\(name) (\(type))")
                    continue
                }
                let body = sql[paren...]
                if type == "table" {
                    _ = try await run("CREATE TABLE \(newName(name)) \(body)")
                    _ = try await run("INSERT INTO \(newName(name)) SELECT * FROM legacy.\(dialect.quote(name))")
                    let before = try await run("SELECT count(*) AS n FROM legacy.\(dialect.quote(name))").first?.column("n")?.integer ?? -1
                    let after = try await run("SELECT count(*) AS n FROM main.\(newName(name))").first?.column("n")?.integer ?? -2
                    guard before == after else {
                        throw IngestError("\(schema).\(name) has \(before) rows but its copy \(after)")
                    }
                    copied.tables += 1
                    copied.rows += Int(after)
                } else {
                    let unique = sql.uppercased().hasPrefix("CREATE UNIQUE") ? "UNIQUE " : ""
                    _ = try await run("CREATE \(unique)INDEX \(newName(name)) ON \(newName(table)) \(body)")
                }
            }
            _ = try await run("COMMIT")
        } catch {
            _ = try? await run("ROLLBACK")
            _ = try? await run("DETACH DATABASE legacy")
            throw error
        }
        _ = try await run("DETACH DATABASE legacy")
    }

    /// Moves the legacy files into `previous-layout/` (a name already there gets a numbered suffix).
    func moveAside(_ names: [String]) throws {
        try FileManager.default.createDirectory(atPath: backup, withIntermediateDirectories: true)
        for name in names where FileManager.default.fileExists(atPath: path(name)) {
            var destination = (backup as NSString).appendingPathComponent(name)
            var attempt = 1
            while FileManager.default.fileExists(atPath: destination) {
                attempt += 1
                destination = (backup as NSString).appendingPathComponent("\(name).\(attempt)")
            }
            try FileManager.default.moveItem(atPath: path(name), toPath: destination)
        }
    }
}
