import IngestCommon

/// One column of a silver table, bound to the row field that fills it.
///
/// A data column is declared with a key path into the row type; its SQL type
/// follows from the field's Swift type, so a column whose field is missing or
/// has another type does not compile. The platform's own columns (checksum,
/// ingested-at, bronze object path) are declared with `.checksum()`,
/// `.ingestedAt()` and `.bronzeObjectPath()`; the SDK fills them.
public struct Column<Row>: Sendable {
    public enum Role: Sendable {
        case data(@Sendable (Row) -> SQLValue)
        case checksum
        case ingestedAt
        case bronzeObjectPath
    }

    public let name: String
    public let type: ColumnType
    public let primaryKey: Bool
    public let index: Bool
    public let notNull: Bool
    /// Swift type of the field, for error messages.
    public let swiftType: String
    public let role: Role

    /// A data column filled from `field`. NOT NULL when the field is not optional, or when `notNull` says so.
    public init<Value: ColumnValue>(
        _ name: String,
        _ field: KeyPath<Row, Value> & Sendable,
        primaryKey: Bool = false,
        index: Bool = false,
        notNull: Bool = false
    ) {
        self.name = name
        self.type = Value.columnType
        self.primaryKey = primaryKey
        self.index = index
        self.notNull = notNull || primaryKey || !Value.isOptional
        self.swiftType = String(describing: Value.self)
        self.role = .data(Self.reader(field))
        self.isOptionalField = Value.isOptional
    }

    let isOptionalField: Bool

    /// The function that reads a field's value, once per row and column of a load.
    ///
    /// A stored property of a struct is read at its byte offset as its concrete type (the common
    /// column types), so no key path is walked and no generic code runs per value; anything else
    /// (computed properties, other types) reads through the key path. Both give the same `sqlValue`.
    static func reader<Value: ColumnValue>(_ field: KeyPath<Row, Value> & Sendable) -> @Sendable (Row) -> SQLValue {
        if let offset = MemoryLayout<Row>.offset(of: field) {
            // One closure per concrete type, so that the load and `sqlValue` compile for that type
            // (an optional maps its wrapped value, as `Optional.sqlValue` does, without generic code).
            switch ObjectIdentifier(Value.self) {
            case ObjectIdentifier(String.self): return { row in withUnsafeBytes(of: row) { $0.load(fromByteOffset: offset, as: String.self) }.sqlValue }
            case ObjectIdentifier(String?.self): return { row in withUnsafeBytes(of: row) { $0.load(fromByteOffset: offset, as: String?.self) }.map { $0.sqlValue } ?? .null }
            case ObjectIdentifier(Int.self): return { row in withUnsafeBytes(of: row) { $0.load(fromByteOffset: offset, as: Int.self) }.sqlValue }
            case ObjectIdentifier(Int?.self): return { row in withUnsafeBytes(of: row) { $0.load(fromByteOffset: offset, as: Int?.self) }.map { $0.sqlValue } ?? .null }
            case ObjectIdentifier(Int64.self): return { row in withUnsafeBytes(of: row) { $0.load(fromByteOffset: offset, as: Int64.self) }.sqlValue }
            case ObjectIdentifier(Int64?.self): return { row in withUnsafeBytes(of: row) { $0.load(fromByteOffset: offset, as: Int64?.self) }.map { $0.sqlValue } ?? .null }
            case ObjectIdentifier(Bool.self): return { row in withUnsafeBytes(of: row) { $0.load(fromByteOffset: offset, as: Bool.self) }.sqlValue }
            case ObjectIdentifier(Bool?.self): return { row in withUnsafeBytes(of: row) { $0.load(fromByteOffset: offset, as: Bool?.self) }.map { $0.sqlValue } ?? .null }
            case ObjectIdentifier(ExactDecimal.self): return { row in withUnsafeBytes(of: row) { $0.load(fromByteOffset: offset, as: ExactDecimal.self) }.sqlValue }
            case ObjectIdentifier(ExactDecimal?.self): return { row in withUnsafeBytes(of: row) { $0.load(fromByteOffset: offset, as: ExactDecimal?.self) }.map { $0.sqlValue } ?? .null }
            case ObjectIdentifier(CalendarDate.self): return { row in withUnsafeBytes(of: row) { $0.load(fromByteOffset: offset, as: CalendarDate.self) }.sqlValue }
            case ObjectIdentifier(CalendarDate?.self): return { row in withUnsafeBytes(of: row) { $0.load(fromByteOffset: offset, as: CalendarDate?.self) }.map { $0.sqlValue } ?? .null }
            case ObjectIdentifier(LocalTimestamp?.self): return { row in withUnsafeBytes(of: row) { $0.load(fromByteOffset: offset, as: LocalTimestamp?.self) }.map { $0.sqlValue } ?? .null }
            case ObjectIdentifier(JSONText?.self): return { row in withUnsafeBytes(of: row) { $0.load(fromByteOffset: offset, as: JSONText?.self) }.map { $0.sqlValue } ?? .null }
            default: break
            }
        }
        return { row in row[keyPath: field].sqlValue }
    }

    private init(name: String, type: ColumnType, notNull: Bool, index: Bool = false, role: Role) {
        self.name = name
        self.type = type
        self.primaryKey = false
        self.index = index
        self.notNull = notNull
        self.swiftType = type.rawValue
        self.role = role
        self.isOptionalField = !notNull
    }

    /// The SHA-256 change-detection checksum, computed by the SDK over every data column.
    public static func checksum(_ name: String = "checksum_sha256") -> Column {
        Column(name: name, type: .text, notNull: true, role: .checksum)
    }

    /// When the row was first inserted; defaults to now and is kept on update.
    public static func ingestedAt(_ name: String = "ingested_at", index: Bool = false) -> Column {
        Column(name: name, type: .timestamp, notNull: true, index: index, role: .ingestedAt)
    }

    /// The bronze key of the artifact the row was parsed from (not part of the checksum).
    public static func bronzeObjectPath(_ name: String = "bronze_object_path") -> Column {
        Column(name: name, type: .text, notNull: false, role: .bronzeObjectPath)
    }
}
