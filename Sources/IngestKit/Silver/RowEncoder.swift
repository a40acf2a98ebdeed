import IngestCommon

/// Turns typed rows into the values the loader writes, in `TableSchema.loadedColumns` order,
/// filling the checksum (over every data column, in config order) and the bronze object path.
public struct RowEncoder<Config: SourceTableConfig>: Sendable {
    public let schema: TableSchema
    private let columns: [Column<Config.Row>]

    public init() throws {
        self.schema = try Config.tableSchema()
        self.columns = Config.columns
    }

    public func encode(_ row: Config.Row, bronzeKey: String) -> [SQLValue] {
        var data: [(name: String, value: SQLValue)] = []
        data.reserveCapacity(columns.count)
        for column in columns {
            guard case .data(let read) = column.role else { continue }
            var value = read(row)
            // Format a decimal once: the checksum and the loader both use this text (the column's type casts it back).
            if case .numeric(let decimal) = value { value = .text(DecimalText.canonical(decimal)) }
            data.append((column.name, value))
        }
        let checksum = Checksum.sha256Hex(data)
        var values: [SQLValue] = []
        values.reserveCapacity(columns.count)
        var next = data.makeIterator()
        for column in columns {
            switch column.role {
            case .data: values.append(next.next()!.value)
            case .checksum: values.append(.text(checksum))
            case .bronzeObjectPath: values.append(.text(bronzeKey))
            case .ingestedAt: continue
            }
        }
        return values
    }
}
