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
            // Read from the digits, never through Decimal's 38 digits.
            guard var bytes = cell.bytes else { return nil }
            if cell.format == .text { return bytes.readString(length: bytes.readableBytes).flatMap { ExactDecimal($0)?.text ?? $0 } }
            return numericText(&bytes)
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

    /// PostgreSQL's binary numeric (ndigits, weight, sign, dscale, then base-10000 digits) as canonical decimal text.
    static func numericText(_ buffer: inout ByteBuffer) -> String? {
        guard let count = buffer.readInteger(as: Int16.self), let weight = buffer.readInteger(as: Int16.self),
              let sign = buffer.readInteger(as: UInt16.self), buffer.readInteger(as: Int16.self) != nil else { return nil }
        switch sign {
        case 0xC000: return "NaN"
        case 0xD000: return "Infinity"
        case 0xF000: return "-Infinity"
        default: break
        }
        var groups: [Int16] = []
        for _ in 0..<max(0, Int(count)) {
            guard let group = buffer.readInteger(as: Int16.self) else { return nil }
            groups.append(group)
        }
        guard !groups.isEmpty else { return "0" }
        // Group i is worth 10000^(weight - i): write it as 4 digits, then place the point.
        var digits = ""
        digits.reserveCapacity(groups.count * 4)
        for group in groups {
            let text = String(group)
            digits += String(repeating: "0", count: 4 - text.count) + text
        }
        let exponent = (Int(weight) + 1 - groups.count) * 4  // value = digits × 10^exponent
        return ExactDecimal((sign == 0x4000 ? "-" : "") + digits + "e" + String(exponent))?.text
    }
}
