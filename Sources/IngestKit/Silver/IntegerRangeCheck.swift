import IngestCommon

/// Refuses a run whose rows hold an integer that an existing narrower column cannot store (a PostgreSQL
/// `integer` column made before the config's `integer` was `bigint`), before the warehouse sees it:
/// the error names the column, the value, the artifact and row, and the widening migration, where
/// PostgreSQL would only say `integer out of range`.
struct IntegerRangeCheck: Sendable {
    let table: TableSchema
    let narrow: [SchemaEvolution.NarrowInteger]

    /// The check for `table` as `warehouse` holds it now (one catalog read).
    static func make(_ table: TableSchema, in warehouse: any Warehouse) async throws -> IntegerRangeCheck {
        let existing = try await warehouse.existingColumns(schema: table.schema, table: table.table)
        return IntegerRangeCheck(table: table, narrow: SchemaEvolution(warehouse.dialect).narrowIntegers(table, existing: existing))
    }

    /// `read` with every parsed row checked; an unchanged `read` when no column is narrow.
    func checking(_ read: @escaping @Sendable (Int) async throws -> ParsedArtifact,
                  manifest: RunManifest) -> @Sendable (Int) async throws -> ParsedArtifact {
        let loaded = table.loadedColumns.map(\.name)
        let slots = narrow.compactMap { column in loaded.firstIndex(of: column.column).map { ($0, column) } }
        guard !slots.isEmpty else { return read }
        let keySlots = table.primaryKey.compactMap { loaded.firstIndex(of: $0) }
        let table = self.table
        return { index in
            let parsed = try await read(index)
            for row in parsed.rows {
                for (slot, column) in slots {
                    guard case .integer(let value) = row[slot], value < column.minimum || value > column.maximum else { continue }
                    let key = keySlots.map { "\(loaded[$0])=\(row[$0].canonicalText ?? "NULL")" }.joined(separator: ", ")
                    throw IngestError(
                        "artifact \(manifest.artifacts[index].artifactId) of run \(manifest.runId): the row with \(key) has \(value) in column "
                            + "\(column.column) of \(table.schema).\(table.table), which is \(column.declaredType) in the warehouse "
                            + "(values from \(column.minimum) to \(column.maximum)); nothing was loaded",
                        fix: "widen the column (`ingestctl plan \(table.qualifiedName) --apply` runs it): \(column.migration) "
                            + "then load the run again with --from-run \(manifest.runId)")
                }
            }
            return parsed
        }
    }
}
