import Foundation
import IngestCommon

/// What a run does when keys its item type reads vanished from every item (absent, not `null`: renamed or
/// dropped upstream) and loading it would replace stored values with NULL because of them.
public enum VanishedKeyPolicy: String, Sendable, Codable {
    /// The load does not commit: the run fails naming the keys and the values it would have set to NULL (the default).
    case fail
    /// The load commits; a notice says how many stored values were set to NULL.
    case load
}

/// Finds the stored values a run would blank because keys vanished: the nullable data columns that got no
/// value in any row of the run (`ColumnPresence`) and held fewer non-NULL values after the merge than before
/// it, inside the load's transaction (one `count(column)` scan of the table before the merge, one after
/// when keys vanished).
struct VanishedKeyCheck: Sendable {
    let table: TableSchema
    let policy: VanishedKeyPolicy

    /// The columns a vanished key can blank: nullable data columns (not the key, not the platform's own).
    var columns: [String] {
        let platform = Set([table.checksumColumn, table.ingestedAtColumn] + [table.bronzePathColumn].compactMap { $0 })
        return table.columns.filter { !$0.primaryKey && !$0.notNull && !platform.contains($0.name) }.map(\.name)
    }

    /// Non-NULL values per column now.
    func counts(in session: any SQLSession) async throws -> [String: Int] {
        let columns = self.columns
        guard !columns.isEmpty else { return [:] }
        let dialect = session.dialect
        let list = columns.enumerated().map { "count(\(dialect.quote($1))) AS c\($0)" }.joined(separator: ", ")
        let row = try await session.execute("SELECT \(list) FROM \(dialect.qualified(table.schema, table.table))").first
        return Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, Int(row?["c\($0)"] ?? "") ?? 0) })
    }

    /// Per column the run gave no value, the stored values the merge set to NULL (columns with none left out).
    func blanked(before: [String: Int], after: [String: Int], presence: ColumnPresence) -> [(column: String, values: Int)] {
        columns.compactMap { column in
            guard !presence.hasValue(column), let was = before[column], let now = after[column], was > now else { return nil }
            return (column, was - now)
        }
    }

    /// A load refused because of vanished keys: the error, and the keys for the run's drift; `blanked` names
    /// the columns and counts, so the error can be told again with the rows' keys once the load rolled back.
    struct Refusal: Error {
        let error: IngestError
        let vanished: [SchemaDrift.Key]
        let blanked: [(column: String, values: Int)]
    }

    /// The run's refusal (policy `.fail`) or its notice (`.load`); `examples`, per column, keys of rows it blanks.
    func outcome(_ vanished: [SchemaDrift.Key], blanked: [(column: String, values: Int)], runId: String,
                 examples: [String: [String]] = [:]) -> (refusal: Refusal?, notice: String) {
        let keys = vanished.map(\.path).joined(separator: ", ")
        let total = blanked.reduce(0) { $0 + $1.values }
        let key = table.primaryKey.joined(separator: ", ")
        let columns = blanked.map { blank in
            let named = examples[blank.column].map { shown in
                " (\(key) " + shown.joined(separator: "; ") + (shown.count < blank.values ? "; …" : "") + ")"
            } ?? ""
            return "column \(blank.column) in \(blank.values) row(s)\(named)"
        }.joined(separator: ", ")
        if policy == .fail {
            return (Refusal(error: IngestError(
                "keys the item type reads vanished from every item of run \(runId) (absent, not null): \(keys); loading it would set \(total) stored "
                    + "value(s) of \(table.schema).\(table.table) to NULL: \(columns); nothing was loaded",
                fix: "if the source renamed them, read the new names in the item type and load the run again with --from-run \(runId); "
                    + "to store the NULLs, declare the dataset with vanishedKeys: .load"), vanished: vanished, blanked: blanked), "")
        }
        return (nil, "keys \(keys) vanished from every item of run \(runId): \(total) stored value(s) set to NULL (\(columns)), accepted by vanishedKeys: .load")
    }
}

extension VanishedKeyCheck {
    /// Keys (at most `limit` per column) of the rows a refused run would have blanked: its rows, read again from
    /// bronze with `read` (artifacts `0..<artifacts`), whose stored value in the column is not NULL. Every row of the
    /// run has NULL there (the column got no value in the run), so those are exactly the rows it would have changed
    /// to NULL. Call it after the load rolled back. Keys are shown as the warehouse prints them, `; ` between rows.
    func examples(of columns: [String], read: @Sendable (Int) async throws -> ParsedArtifact, artifacts: Int,
                  in warehouse: any Warehouse, limit: Int = 5) async throws -> [String: [String]] {
        let loaded = table.loadedColumns
        let slots = table.primaryKey.compactMap { name in loaded.firstIndex { $0.name == name } }
        guard !columns.isEmpty, slots.count == table.primaryKey.count else { return [:] }
        let dialect = warehouse.dialect
        let keyList = table.primaryKey.map(dialect.quote).joined(separator: ", ")
        var found: [String: [String]] = [:]
        var batch: [[SQLValue]] = []
        func lookUp() async throws {
            defer { batch = [] }
            let tuples = SQLStatement.joined(batch.map { key in
                "(" + SQLStatement.joined(zip(slots, key).map { slot, value in "\(bind: value, as: loaded[slot].type)" }, separator: ", ") + ")"
            }, separator: ", ")
            for column in columns where (found[column]?.count ?? 0) < limit {
                let rows = try await warehouse.execute("SELECT \(raw: keyList) FROM \(raw: dialect.qualified(table.schema, table.table)) WHERE "
                    + "\(raw: dialect.quote(column)) IS NOT NULL AND (\(raw: keyList)) IN (VALUES " + tuples + ") "
                    + "ORDER BY \(raw: keyList) LIMIT \(raw: String(limit - (found[column]?.count ?? 0)))")
                found[column, default: []] += rows.map { row in row.values.map { $0 ?? "NULL" }.joined(separator: ", ") }
            }
        }
        for index in 0..<artifacts {
            for row in try await read(index).rows where slots.allSatisfy({ $0 < row.count }) {
                batch.append(slots.map { row[$0] })
                if batch.count == 200 { try await lookUp() }
            }
            if columns.allSatisfy({ (found[$0]?.count ?? 0) >= limit }) { break }
        }
        if !batch.isEmpty { try await lookUp() }
        return found
    }
}

/// Which columns got a non-NULL value in some row of a load, filled as artifacts are parsed (on several threads).
final class ColumnPresence: @unchecked Sendable {
    private let lock = NSLock()
    private let names: [String]
    private var seen: [Bool]

    init(_ table: TableSchema) {
        names = table.loadedColumns.map(\.name)
        seen = Array(repeating: false, count: names.count)
    }

    /// `read` noting each parsed row's non-NULL values.
    func observing(_ read: @escaping @Sendable (Int) async throws -> ParsedArtifact) -> @Sendable (Int) async throws -> ParsedArtifact {
        { index in
            let parsed = try await read(index)
            var found = Array(repeating: false, count: self.names.count)
            for row in parsed.rows {
                for (slot, value) in row.enumerated() where slot < found.count && !found[slot] {
                    if case .null = value { continue }
                    found[slot] = true
                }
            }
            self.lock.withLock { for slot in found.indices where found[slot] { self.seen[slot] = true } }
            return parsed
        }
    }

    func hasValue(_ column: String) -> Bool {
        guard let slot = names.firstIndex(of: column) else { return false }
        return lock.withLock { seen[slot] }
    }
}
