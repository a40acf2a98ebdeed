import IngestCommon

/// Runtime SQL with its binds in place, written as a string literal with interpolations:
///
///     "UPDATE \(raw: table) SET \"status\" = \(text: status) WHERE \"run_id\" = \(text: runId)"
///
/// `\(raw:)` is SQL text built in Swift (quoted identifiers, keywords); every other
/// interpolation is a bind, numbered in the order it appears and rendered per dialect
/// (`$1::text` on PostgreSQL, `?1` on SQLite), so no placeholder is numbered by hand.
/// Models use `SQL` (references between models); this is for the platform's own statements.
public struct SQLStatement: Sendable, ExpressibleByStringInterpolation {
    enum Segment: Sendable {
        case text(String)
        case bind(SQLValue, ColumnType)
    }

    var segments: [Segment]

    public init(stringLiteral value: String) {
        segments = [.text(value)]
    }

    public init(stringInterpolation: StringInterpolation) {
        segments = stringInterpolation.segments
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var segments: [Segment] = []

        public init(literalCapacity: Int, interpolationCount: Int) {}

        public mutating func appendLiteral(_ literal: String) {
            segments.append(.text(literal))
        }

        /// SQL text built in Swift (identifiers, keywords): never a user's value.
        public mutating func appendInterpolation(raw text: String) {
            segments.append(.text(text))
        }

        /// A bind of the given type.
        public mutating func appendInterpolation(bind value: SQLValue, as type: ColumnType) {
            segments.append(.bind(value, type))
        }

        /// A text bind (`nil`: NULL).
        public mutating func appendInterpolation(text value: String?) {
            segments.append(.bind(value.map { .text($0) } ?? .null, .text))
        }

        /// An integer bind, all 64 bits of it (PostgreSQL: `$n::bigint`).
        public mutating func appendInterpolation(integer value: Int) {
            segments.append(.bind(.integer(Int64(value)), .integer))
        }

        /// A timestamp bind, given as its text (`nil`: NULL).
        public mutating func appendInterpolation(timestamp value: String?) {
            segments.append(.bind(value.map { .text($0) } ?? .null, .timestamp))
        }
    }

    /// This statement followed by `other` (binds keep their order).
    public static func + (lhs: SQLStatement, rhs: SQLStatement) -> SQLStatement {
        var joined = lhs
        joined.segments += rhs.segments
        return joined
    }

    /// `parts` with `separator` between them.
    public static func joined(_ parts: [SQLStatement], separator: String) -> SQLStatement {
        var joined = SQLStatement(stringLiteral: "")
        for (index, part) in parts.enumerated() {
            if index > 0 { joined.segments.append(.text(separator)) }
            joined.segments += part.segments
        }
        return joined
    }

    /// The SQL text for `dialect` and its binds, in placeholder order.
    public func rendered(_ dialect: SQLDialect) -> (sql: String, binds: [SQLValue]) {
        var sql = ""
        var binds: [SQLValue] = []
        for segment in segments {
            switch segment {
            case .text(let text):
                sql += text
            case .bind(let value, let type):
                binds.append(value)
                sql += dialect.placeholder(binds.count, type)
            }
        }
        return (sql, binds)
    }
}

extension SQLSession {
    /// Runs `statement`, its binds rendered for this session's dialect, and returns its rows.
    @discardableResult
    public func execute(_ statement: SQLStatement) async throws -> [ResultRow] {
        let (sql, binds) = statement.rendered(dialect)
        return try await execute(sql, binds)
    }
}
