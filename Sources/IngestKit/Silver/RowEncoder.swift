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
            if case .data(let read) = column.role { data.append((column.name, read(row))) }
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
