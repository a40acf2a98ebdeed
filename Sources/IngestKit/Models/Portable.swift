import IngestCommon

/// SQL helpers that give the same results on SQLite and PostgreSQL.
public enum Portable {
    /// The text every NULL becomes inside a surrogate key, as in dbt_utils.
    public static let nullMarker = "_null_"

    /// A hashed surrogate key over one or more columns or expressions:
    /// `md5(coalesce(cast(a as text), '_null_') || '-' || …)`. NULLs hash like the
    /// marker on both dialects, and SQLite gets the same `md5` as PostgreSQL
    /// (registered by the warehouse), so key values are identical on both.
    public static func hashedKey(_ expressions: String...) -> SQLFragment {
        hashedKey(expressions)
    }

    public static func hashedKey(_ expressions: [String]) -> SQLFragment {
        SQLFragment { dialect in
            let parts = expressions.map { "coalesce(cast(\($0) as text), '\(nullMarker)')" }
            return "md5(" + parts.joined(separator: " || '-' || ") + ")"
        }
    }

    /// Whole days from `start` to `end` (dates), an integer.
    public static func daysBetween(_ start: String, _ end: String) -> SQLFragment {
        SQLFragment { $0.sql.daysBetween(start, end) }
    }

    /// Whole days from a date to today (UTC).
    public static func daysSince(_ date: String) -> SQLFragment {
        SQLFragment { dialect in daysBetween(date, currentDate.render(dialect)).render(dialect) }
    }

    /// Today's date (UTC).
    public static var currentDate: SQLFragment {
        SQLFragment { $0.sql.currentDate }
    }

    /// `coalesce(nullif(trim(x), ''), 'Unknown')` with `trim` over all Unicode white space
    /// (`Blank`): blank or NULL text becomes a default, and other text comes trimmed.
    /// A value that is only a tab, a no-break space or an ideographic space is blank on both dialects.
    public static func blankToDefault(_ expression: String, _ fallback: String = "Unknown") -> SQLFragment {
        SQLFragment { dialect in
            "coalesce(\(nullIfBlank(expression).render(dialect)), \(dialect.literal(fallback)))"
        }
    }

    /// The text without leading and trailing Unicode white space (`Blank.whitespace`), identically on
    /// both dialects (plain SQL `trim` removes spaces only).
    public static func trimWhitespace(_ expression: String) -> SQLFragment {
        SQLFragment { $0.sql.trim(expression, characters: whitespaceCharacters($0)) }
    }

    /// NULL when the text is blank (empty after `trimWhitespace`), else the trimmed text.
    public static func nullIfBlank(_ expression: String) -> SQLFragment {
        SQLFragment { dialect in "nullif(\(trimWhitespace(expression).render(dialect)), '')" }
    }

    /// A SQL string of every `Blank.whitespace` character, written with escapes (no raw control characters in the SQL).
    static func whitespaceCharacters(_ dialect: SQLDialect) -> String {
        dialect.sql.characters(Blank.whitespace)
    }

    /// A cast that yields NULL instead of failing when the text is not a value of the type.
    public static func safeCast(_ expression: String, as type: ColumnType) -> SQLFragment {
        SQLFragment { dialect in
            dialect.sql.safeCast(expression, trimmed: trimWhitespace("cast(\(expression) as text)").render(dialect), as: type)
        }
    }

    /// The date of a `timestamp without time zone` column. IngestKit stores timestamps in UTC, so
    /// this is the UTC date, on both dialects: the platform's one rule for dates derived from timestamps.
    public static func dateOf(_ timestamp: String) -> SQLFragment {
        SQLFragment { $0.sql.dateOf(timestamp) }
    }

    /// The local date of a UTC timestamp at a fixed offset from UTC, in minutes (east positive,
    /// e.g. -300 for UTC−05:00): for a source that wants the date its own clock showed.
    /// (A fixed offset, not a named zone: SQLite has no time zone database.)
    public static func localDate(_ timestamp: String, utcOffsetMinutes: Int) -> SQLFragment {
        SQLFragment { $0.sql.localDate(timestamp, utcOffsetMinutes: utcOffsetMinutes) }
    }

    /// A part of a date as an integer: year, month, day, or ISO day of week (1 = Monday).
    public enum DatePart: Sendable { case year, month, day, isoDayOfWeek }

    public static func datePart(_ part: DatePart, _ expression: String) -> SQLFragment {
        SQLFragment { $0.sql.datePart(part, expression) }
    }
}
