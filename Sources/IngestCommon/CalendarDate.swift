import Foundation

/// A date without a time or zone (`date` columns), written `YYYY-MM-DD`.
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public var year: Int
    public var month: Int
    public var day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        let daysInMonth = [31, CalendarDate.isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...daysInMonth[month - 1]).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`, or an ISO-8601 timestamp validated whole (see `LocalTimestamp(iso:)`),
    /// which gives **its date in UTC**: `2024-03-10T23:30:00-05:00` and `2024-03-11T04:30:00Z`, the
    /// same instant, both give 2024-03-11. A timestamp without an offset is read as UTC.
    /// For the date as the source's clock showed it, use `init(localDateOf:)`.
    public init?(iso text: String) {
        let trimmed = SpaceTrim.trimmed(text)
        if trimmed.utf8.count == 10 {
            guard let date = ISOTimestamp.date(Array(trimmed.utf8)) else { return nil }
            self = date
            return
        }
        guard let parsed = ISOTimestamp.parseParts(trimmed), let date = ISOTimestamp.civil(days: parsed.utcDays) else { return nil }
        self = date
    }

    /// The date a timestamp's own clock showed, at the offset it was written with
    /// (`2024-03-10T23:30:00-05:00` gives 2024-03-10); the timestamp is validated whole.
    /// A source that wants local dates says so with this; the default rule is UTC (`init(iso:)`).
    public init?(localDateOf text: String) {
        let trimmed = SpaceTrim.trimmed(text)
        if trimmed.utf8.count == 10 {
            guard let date = CalendarDate(iso: trimmed) else { return nil }
            self = date
            return
        }
        guard let parsed = ISOTimestamp.parseParts(trimmed) else { return nil }
        self = parsed.writtenDate
    }

    /// The date of an instant in a time zone (e.g. the source's business zone).
    public init(_ date: Date, in timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        self.year = parts.year!
        self.month = parts.month!
        self.day = parts.day!
    }

    /// The UTC date of a timestamp.
    public init(_ timestamp: LocalTimestamp) { self.init(timestamp.date) }

    public init(_ date: Date) {
        let parts = Calendar.utc.dateComponents([.year, .month, .day], from: date)
        self.year = parts.year!
        self.month = parts.month!
        self.day = parts.day!
    }

    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    public var description: String {
        pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = CalendarDate(iso: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date: \(text)"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A timestamp without time zone (`timestamp without time zone` columns), kept in UTC.
public struct LocalTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var date: Date

    public init(_ date: Date) { self.date = date }

    /// Parses a strict ISO-8601 timestamp, validated whole (hour, minute, second, fraction, offset);
    /// an offset is applied, so the value is the UTC time (`2024-03-10T23:30:00-05:00` is
    /// 2024-03-11 04:30:00); a missing zone means UTC. `nil` for anything else.
    public init?(iso text: String) {
        guard let date = ISOTimestamp.parse(text) else { return nil }
        self.date = date
    }

    /// `YYYY-MM-DD HH:MM:SS[.ffffff]`, the form both databases read back unchanged.
    public var description: String { ISOTimestamp.format(date) }

    public static func < (a: LocalTimestamp, b: LocalTimestamp) -> Bool { a.date < b.date }
}

extension LocalTimestamp: Codable {
    /// Reads an ISO-8601 timestamp string (`LocalTimestamp(iso:)`); anything else fails naming the text.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let timestamp = LocalTimestamp(iso: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                "not an ISO-8601 timestamp: \(VisibleText.escaped(String(text.prefix(60))))"))
        }
        self = timestamp
    }

    /// Writes `description` (`YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Strict ISO-8601 timestamps: `YYYY-MM-DD`, `T` (or `t` or a space), `HH:MM`, optional `:SS`,
/// optional fraction (`.` or `,`, any number of digits, rounded to microseconds as both warehouses
/// store them), optional zone `Z`, `±HH:MM`, `±HHMM` or `±HH`. Every field is range-checked
/// (hour 0–23, minute and second 0–59, offset up to ±15:59); anything else, or anything after, is refused.
enum ISOTimestamp {
    struct Parts {
        /// Seconds since 1970-01-01 00:00:00 UTC, and microseconds within that second.
        var utcSeconds: Int64
        var micros: Int
        /// The date as written, before the offset was applied.
        var writtenDate: CalendarDate
        var utcDays: Int { Int((utcSeconds - (utcSeconds % 86_400 + 86_400) % 86_400) / 86_400) }
    }

    static func parse(_ text: String) -> Date? {
        guard let parts = parseParts(text.trimmingCharacters(in: .whitespaces)) else { return nil }
        return Date(timeIntervalSince1970: Double(parts.utcSeconds) + Double(parts.micros) / 1_000_000)
    }

    static func date(_ b: [UInt8]) -> CalendarDate? {
        guard b.count >= 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let y = number(b, 0, 4), let m = number(b, 5, 2), let d = number(b, 8, 2) else { return nil }
        return CalendarDate(year: y, month: m, day: d)
    }

    static func parseParts(_ text: String) -> Parts? {
        let b = Array(text.utf8)
        guard b.count >= 16, let written = date(b) else { return nil }
        guard b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
              let hour = number(b, 11, 2), b[13] == UInt8(ascii: ":"), let minute = number(b, 14, 2),
              hour < 24, minute < 60 else { return nil }
        var index = 16
        var second = 0
        var micros = 0
        if index < b.count, b[index] == UInt8(ascii: ":") {
            guard let s = number(b, index + 1, 2), s < 60 else { return nil }
            second = s
            index += 3
            if index < b.count, b[index] == UInt8(ascii: ".") || b[index] == UInt8(ascii: ",") {
                index += 1
                let start = index
                var scaled = 0  // the first 7 digits, to round to microseconds
                while index < b.count, b[index] &- UInt8(ascii: "0") < 10 {
                    if index - start < 7 { scaled = scaled * 10 + Int(b[index] &- UInt8(ascii: "0")) }
                    index += 1
                }
                guard index > start else { return nil }
                for _ in min(index - start, 7)..<7 { scaled *= 10 }
                micros = (scaled + 5) / 10
            }
        }
        var offset = 0
        if index < b.count {
            switch b[index] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                index += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign = b[index] == UInt8(ascii: "-") ? -1 : 1
                guard let h = number(b, index + 1, 2), h <= 15 else { return nil }
                index += 3
                var m = 0
                if index < b.count {
                    if b[index] == UInt8(ascii: ":") { index += 1 }
                    guard let minutes = number(b, index, 2), minutes < 60 else { return nil }
                    m = minutes
                    index += 2
                }
                offset = sign * (h * 3600 + m * 60)
            default:
                return nil
            }
        }
        guard index == b.count else { return nil }
        let dayCount = Int64(days(written))
        var seconds = dayCount * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        if micros == 1_000_000 {
            seconds += 1
            micros = 0
        }
        let parts = Parts(utcSeconds: seconds, micros: micros, writtenDate: written)
        guard civil(days: parts.utcDays) != nil else { return nil }  // years 1–9999 in UTC too
        return parts
    }

    /// `YYYY-MM-DD HH:MM:SS[.ffffff]` in UTC, the form both databases read back unchanged.
    static func format(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = Int64(interval.rounded(.down))
        var micros = Int(((interval - Double(seconds)) * 1_000_000).rounded())
        if micros >= 1_000_000 {
            seconds += 1
            micros -= 1_000_000
        }
        let secondOfDay = Int((seconds % 86_400 + 86_400) % 86_400)
        let day = civil(days: Int((seconds - Int64(secondOfDay)) / 86_400))
        var text = day.map { $0.description } ?? CalendarDate(date).description
        text += " " + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if micros > 0 { text += "." + pad(micros, 6) }
        return text
    }

    private static func number(_ b: [UInt8], _ start: Int, _ count: Int) -> Int? {
        guard start + count <= b.count else { return nil }
        var value = 0
        for index in start..<(start + count) {
            let digit = b[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }

    /// Days since 1970-01-01 (proleptic Gregorian).
    static func days(_ date: CalendarDate) -> Int {
        let y = date.month <= 2 ? date.year - 1 : date.year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * ((date.month + 9) % 12) + 2) / 5 + date.day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01; `nil` outside years 1–9999.
    static func civil(days: Int) -> CalendarDate? {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return CalendarDate(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }
}

extension Calendar {
    /// The Gregorian calendar in UTC, used for every date the platform writes.
    public static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}

func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}
