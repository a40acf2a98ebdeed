import Foundation
import IngestCommon
import NIOCore
import PostgresNIO

/// Turns a PostgreSQL result cell into the same text SQLite would give for it.
enum PostgresText {
    static func text(of cell: PostgresCell) throws -> String? {
        guard cell.bytes != nil else { return nil }
        switch cell.dataType {
        case .int2, .int4, .int8:
            return String(try cell.decode(Int.self))
        case .bool:
            return try cell.decode(Bool.self) ? "true" : "false"
        case .numeric:
            return DecimalText.canonical(try cell.decode(Decimal.self))
        case .float4, .float8:
            return String(try cell.decode(Double.self))
        case .date:
            return CalendarDate(try cell.decode(Date.self)).description
        case .timestamp, .timestamptz:
            return LocalTimestamp(try cell.decode(Date.self)).description
        case .jsonb:
            guard var bytes = cell.bytes else { return nil }
            if cell.format == .binary { _ = bytes.readInteger(as: UInt8.self) }
            return bytes.readString(length: bytes.readableBytes)
        case .uuid:
            return try cell.decode(UUID.self).uuidString.lowercased()
        default:
            if let text = try? cell.decode(String.self) { return text }
            guard var bytes = cell.bytes else { return nil }
            return bytes.readString(length: bytes.readableBytes)
        }
    }
}
