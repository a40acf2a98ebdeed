import Foundation
import IngestCommon

/// Puts the start of an incremental window in a query parameter, e.g. `?since=2025-01-21`.
///
/// The start is the earlier of the last successful run's watermark and the run
/// time minus the lookback (`--lookback-days`, default the dataset's): a run
/// reads everything after the last watermark, and always at least the last
/// lookback days again, so late updates are picked up and a gap between runs
/// loses nothing. Without a watermark (the first run) it is the lookback, or
/// nothing at all (a full load) with `fullLoadFirst`.
public struct IncrementalWindow: Sendable {
    public enum Format: Sendable {
        /// `2025-01-21`
        case date
        /// `2025-01-21T00:00:00Z`
        case dateTime
        /// seconds since 1970
        case unixSeconds
    }

    public var parameter: String
    public var format: Format
    public var fullLoadFirst: Bool

    public init(parameter: String = "since", format: Format = .date, fullLoadFirst: Bool = false) {
        self.parameter = parameter
        self.format = format
        self.fullLoadFirst = fullLoadFirst
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

    /// The query parameter for this run, or nil for no window.
    func queryItem(_ context: ExtractionContext) throws -> (String, String)? {
        guard let start = try start(runTime: context.runTime, lookbackDays: context.lookbackDays, lastWatermark: context.lastWatermark) else {
            return nil
        }
        switch format {
        case .date:
            return (parameter, CalendarDate(start).description)
        case .dateTime:
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            return (parameter, formatter.string(from: start))
        case .unixSeconds:
            return (parameter, String(Int(start.timeIntervalSince1970)))
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
