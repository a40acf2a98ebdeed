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

    /// `coalesce(nullif(trim(x), ''), 'Unknown')`: blank or NULL text becomes a default.
    public static func blankToDefault(_ expression: String, _ fallback: String = "Unknown") -> SQLFragment {
        SQLFragment { dialect in "coalesce(nullif(trim(\(expression)), ''), \(dialect.literal(fallback)))" }
    }

    /// A cast that yields NULL instead of failing when the text is not a value of the type.
    public static func safeCast(_ expression: String, as type: ColumnType) -> SQLFragment {
        SQLFragment { dialect in
            let x = "trim(cast(\(expression) as text))"
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
