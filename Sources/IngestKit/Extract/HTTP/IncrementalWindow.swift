import Foundation
import IngestCommon

/// Puts the start of an incremental window in a query parameter, e.g. `?since=2025-01-21`.
///
/// `template` writes the start into any parameter's value in the format the API wants:
///
/// ```swift
/// IncrementalWindow(parameter: "$where", format: .pattern("yyyy-MM-dd'T'HH:mm:ss"), template: ":updated_at > '{since}'")
/// IncrementalWindow(parameter: "filter[updated_since]")       // ?filter[updated_since]=2025-01-21
/// ```
///
/// The start is the earlier of the last successful run's watermark and the run
/// time minus the lookback (`--lookback-days`, default the dataset's): a run
/// reads everything after the last watermark, and always at least the last
/// lookback days again, so late updates are picked up and a gap between runs
/// loses nothing. Without a watermark (the first run) nothing is sent: a full
/// load (`fullLoadFirst`, the default; `false`: the lookback only). A scheduler's
/// window (`--window-start`/`--window-end`, e.g. Airflow's data interval) replaces
/// all of that: its start goes in `parameter`, its end in `endParameter`.
///
/// The start is written as the watermark is (`format: nil`, the default): a date
/// watermark (`2025-01-21`) as a date, a timestamp one as `2025-01-21T09:30:00Z`.
public struct IncrementalWindow: Sendable {
    public enum Format: Sendable {
        /// `2025-01-21`
        case date
        /// `2025-01-21T00:00:00Z`
        case dateTime
        /// seconds since 1970
        case unixSeconds
        /// milliseconds since 1970
        case unixMilliseconds
        /// A date pattern (Unicode TR 35, as `DateFormatter`), in UTC: e.g. `yyyy-MM-dd'T'HH:mm:ss.SSS`
        /// for Socrata's floating timestamps, `yyyyMMdd`.
        case pattern(String)
    }

    /// The query parameter that carries the window, e.g. `since`, `$where`, `filter[updated_since]`.
    public var parameter: String
    /// How the start is written; `nil`: as the last watermark is (a date, or an ISO-8601 timestamp in UTC;
    /// a date when there is none yet).
    public var format: Format?
    /// The parameter's value with `{since}` where the formatted start goes, e.g. `:updated_at > '{since}'`.
    /// Default: `{since}`, the start alone.
    public var template: String
    /// Whether a first run (no watermark yet) sends no window and loads everything (default), or the lookback only.
    public var fullLoadFirst: Bool
    /// Where the end of a scheduler's window goes (e.g. `until`); `nil`: the end is not sent.
    public var endParameter: String?
    /// Send parameters only for a scheduler's window (`--window-start`/`--window-end`); without one, extract everything.
    public var windowOnly: Bool

    public init(parameter: String = "since", format: Format? = nil, template: String = "{since}", fullLoadFirst: Bool = true,
                endParameter: String? = nil, windowOnly: Bool = false) {
        self.parameter = parameter
        self.format = format
        self.template = template
        self.fullLoadFirst = fullLoadFirst
        self.endParameter = endParameter
        self.windowOnly = windowOnly
    }

    /// The window's start for this run, or nil for no window.
    public func start(runTime: Date, lookbackDays: Int, lastWatermark: String?) throws -> Date? {
        let lookback = runTime.addingTimeInterval(-Double(max(0, lookbackDays)) * 86_400)
        guard let lastWatermark else { return fullLoadFirst ? nil : lookback }
        guard let watermark = Self.date(lastWatermark) else {
            throw IngestError("the last watermark \"\(lastWatermark)\" is not a date or an ISO-8601 timestamp, so the incremental window cannot start from it",
                              fix: "make the dataset's watermark(of:) return dates like 2025-01-21")
        }
        return min(watermark, lookback)
    }

    /// The query parameters for this run: a scheduler's window replaces the lookback and the watermark.
    /// The start goes into `template` at `{since}`; the end, if `endParameter` is set, goes alone.
    func queryItems(_ context: ExtractionContext) throws -> [(String, String)] {
        guard template.contains("{since}") else {
            throw IngestError("the incremental template \"\(template)\" of the parameter \"\(parameter)\" has no {since}",
                              fix: "write {since} where the window's start goes, e.g. :updated_at > '{since}'")
        }
        let format = self.format ?? Self.format(of: context.lastWatermark)
        if let window = context.window {
            return [(parameter, filled(window.start, format))] + (endParameter.map { [($0, Self.formatted(window.end, format))] } ?? [])
        }
        if windowOnly { return [] }
        guard let start = try start(runTime: context.runTime, lookbackDays: context.lookbackDays, lastWatermark: context.lastWatermark) else {
            return []
        }
        return [(parameter, filled(start, format))]
    }

    /// The template with `start` in `format` at `{since}`.
    func filled(_ start: Date, _ format: Format) -> String {
        template.replacingOccurrences(of: "{since}", with: Self.formatted(start, format))
    }

    /// The format of a watermark's text: `.dateTime` for a timestamp, else (a date, or none yet) `.date`.
    static func format(of watermark: String?) -> Format {
        guard let watermark, watermark.count > 10, date(watermark) != nil else { return .date }
        return .dateTime
    }

    /// `start` in the window's format (`nil`: a date).
    public func formatted(_ start: Date) -> String {
        Self.formatted(start, format ?? .date)
    }

    static func formatted(_ start: Date, _ format: Format) -> String {
        switch format {
        case .date:
            return CalendarDate(start).description
        case .dateTime:
            return ExtractionWindow.iso(start)
        case .unixSeconds:
            return String(Int(start.timeIntervalSince1970))
        case .unixMilliseconds:
            return String(Int64((start.timeIntervalSince1970 * 1000).rounded(.down)))
        case .pattern(let pattern):
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.calendar = Calendar(identifier: .gregorian)
            formatter.dateFormat = pattern
            return formatter.string(from: start)
        }
    }

    static func date(_ text: String) -> Date? {
        if let day = CalendarDate(iso: text), text.count == 10 {
            return Calendar.utc.date(from: DateComponents(year: day.year, month: day.month, day: day.day))
        }
        // The SDK's one strict timestamp reader: validated whole, offsets applied.
        return LocalTimestamp(iso: text)?.date
    }
}
