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
        SQLFragment { dialect in
            switch dialect {
            case .postgres: return "(cast(\(end) as date) - cast(\(start) as date))"
            case .sqlite: return "cast(julianday(\(end)) - julianday(\(start)) as integer)"
            }
        }
    }

    /// Whole days from a date to today (UTC).
    public static func daysSince(_ date: String) -> SQLFragment {
        SQLFragment { dialect in daysBetween(date, currentDate.render(dialect)).render(dialect) }
    }

    /// Today's date (UTC).
    public static var currentDate: SQLFragment {
        SQLFragment { dialect in
            switch dialect {
            case .postgres: return "cast(now() at time zone 'utc' as date)"
            case .sqlite: return "date('now')"
            }
        }
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
        SQLFragment { dialect in
            switch dialect {
            case .postgres: return "btrim(\(expression), \(whitespaceCharacters(dialect)))"
            case .sqlite: return "trim(\(expression), \(whitespaceCharacters(dialect)))"
            }
        }
    }

    /// NULL when the text is blank (empty after `trimWhitespace`), else the trimmed text.
    public static func nullIfBlank(_ expression: String) -> SQLFragment {
        SQLFragment { dialect in "nullif(\(trimWhitespace(expression).render(dialect)), '')" }
    }

    /// A SQL string of every `Blank.whitespace` character, written with escapes (no raw control characters in the SQL).
    static func whitespaceCharacters(_ dialect: SQLDialect) -> String {
        switch dialect {
        case .postgres:
            return "E'" + Blank.whitespace.map { "\\u" + hex4($0.value) }.joined() + "'"
        case .sqlite:
            return "char(" + Blank.whitespace.map { String($0.value) }.joined(separator: ", ") + ")"
        }
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// A cast that yields NULL instead of failing when the text is not a value of the type.
    public static func safeCast(_ expression: String, as type: ColumnType) -> SQLFragment {
        SQLFragment { dialect in
            let x = trimWhitespace("cast(\(expression) as text)").render(dialect)
            switch (dialect, type) {
            case (.postgres, .integer):
                return "(case when \(x) ~ '^[+-]?[0-9]{1,18}$' then cast(\(x) as bigint) end)"
            case (.postgres, .numeric):
                return "(case when \(x) ~ '^[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)$' then cast(\(x) as numeric) end)"
            case (.postgres, .date):
                // PostgreSQL has no try-cast: check the month's length before casting (CASE evaluates in order).
                let lastDay = "cast(extract(day from cast(substr(\(x), 1, 7) || '-01' as date) + interval '1 month' - interval '1 day') as integer)"
                return "(case when \(x) ~ '^[1-9][0-9]{3}-(0[1-9]|1[0-2])-[0-3][0-9]$' then (case when cast(substr(\(x), 9, 2) as integer) between 1 and \(lastDay) then cast(\(x) as date) end) end)"
            case (.postgres, .boolean):
                return "(case when lower(\(x)) in ('true','t','1','yes') then true when lower(\(x)) in ('false','f','0','no') then false end)"
            case (.postgres, _):
                return "cast(\(expression) as \(type.rawValue))"
            case (.sqlite, .integer):
                return "(case when \(x) <> '' and ltrim(\(x), '+-') <> '' and ltrim(\(x), '+-') not glob '*[^0-9]*' then cast(\(x) as integer) end)"
            case (.sqlite, .numeric):
                return "(case when \(x) <> '' and ltrim(\(x), '+-') not glob '*[^0-9.]*' and \(x) not like '%.%.%' and ltrim(\(x), '+-') <> '.' then \(x) end)"
            case (.sqlite, .date):
                return "(case when date(\(x)) = \(x) then \(x) end)"
            case (.sqlite, .boolean):
                return "(case when lower(\(x)) in ('true','t','1','yes') then 1 when lower(\(x)) in ('false','f','0','no') then 0 end)"
            case (.sqlite, _):
                return "cast(\(expression) as text)"
            }
        }
    }

    /// The date of a `timestamp without time zone` column. IngestKit stores timestamps in UTC, so
    /// this is the UTC date, on both dialects: the platform's one rule for dates derived from timestamps.
    public static func dateOf(_ timestamp: String) -> SQLFragment {
        SQLFragment { dialect in
            switch dialect {
            case .postgres: return "cast(\(timestamp) as date)"
            case .sqlite: return "date(\(timestamp))"
            }
        }
    }

    /// The local date of a UTC timestamp at a fixed offset from UTC, in minutes (east positive,
    /// e.g. -300 for UTC−05:00): for a source that wants the date its own clock showed.
    /// (A fixed offset, not a named zone: SQLite has no time zone database.)
    public static func localDate(_ timestamp: String, utcOffsetMinutes: Int) -> SQLFragment {
        SQLFragment { dialect in
            switch dialect {
            case .postgres: return "cast(\(timestamp) + interval '\(utcOffsetMinutes) minutes' as date)"
            case .sqlite: return "date(\(timestamp), '\(utcOffsetMinutes >= 0 ? "+" : "")\(utcOffsetMinutes) minutes')"
            }
        }
    }

    /// A part of a date as an integer: year, month, day, or ISO day of week (1 = Monday).
    public enum DatePart: Sendable { case year, month, day, isoDayOfWeek }

    public static func datePart(_ part: DatePart, _ expression: String) -> SQLFragment {
        SQLFragment { dialect in
            switch (dialect, part) {
            case (.postgres, .year): return "cast(extract(year from \(expression)) as integer)"
            case (.postgres, .month): return "cast(extract(month from \(expression)) as integer)"
            case (.postgres, .day): return "cast(extract(day from \(expression)) as integer)"
            case (.postgres, .isoDayOfWeek): return "cast(extract(isodow from \(expression)) as integer)"
            case (.sqlite, .year): return "cast(strftime('%Y', \(expression)) as integer)"
            case (.sqlite, .month): return "cast(strftime('%m', \(expression)) as integer)"
            case (.sqlite, .day): return "cast(strftime('%d', \(expression)) as integer)"
            case (.sqlite, .isoDayOfWeek): return "(case cast(strftime('%w', \(expression)) as integer) when 0 then 7 else cast(strftime('%w', \(expression)) as integer) end)"
            }
        }
    }
}
