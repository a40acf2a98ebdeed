import Foundation
import IngestCommon
import Testing

/// Timestamps are validated whole and converted to UTC; dates derived from them are UTC dates.
@Suite struct TimestampTests {
    /// Every offset from −12:00 to +14:00 in 15-minute steps, at times around midnight: the UTC time and
    /// date agree with Foundation's ISO-8601 reading of the same instant; the written date is kept apart.
    @Test func offsetsEastAndWestConvertToUTC() throws {
        let reference = ISO8601DateFormatter()
        for offset in stride(from: -12 * 60, through: 14 * 60, by: 15) {
            let zone = String(format: "%@%02d:%02d", offset < 0 ? "-" : "+", abs(offset) / 60, abs(offset) % 60)
            for time in ["00:00:00", "00:30:00", "11:59:59", "23:30:00", "23:59:59"] {
                let text = "2024-02-29T\(time)\(zone)"
                let instant = try #require(reference.date(from: text))
                let parsed = try #require(LocalTimestamp(iso: text), "\(text)")
                #expect(parsed.date == instant, "\(text)")
                #expect(CalendarDate(iso: text) == CalendarDate(instant), "\(text): the UTC date")
                #expect(CalendarDate(localDateOf: text)?.description == "2024-02-29", "\(text): the date as written")
                // Compact offsets (+0530, +05) read the same.
                let compact = "2024-02-29T\(time)" + zone.replacingOccurrences(of: ":", with: "")
                #expect(LocalTimestamp(iso: compact) == parsed, "\(compact)")
            }
        }
        #expect(LocalTimestamp(iso: "2024-03-10T23:30:00-05:00")?.description == "2024-03-11 04:30:00")
        #expect(CalendarDate(iso: "2024-03-10T23:30:00-05:00")?.description == "2024-03-11")
        #expect(CalendarDate(iso: "2024-03-11T04:30:00Z")?.description == "2024-03-11")
        #expect(CalendarDate(iso: "2024-03-11T01:30:00+09:00")?.description == "2024-03-10")
        #expect(CalendarDate(localDateOf: "2024-03-10T23:30:00-05:00")?.description == "2024-03-10")
        // 03:30 UTC on 2024-03-11 is 23:30 in New York (daylight saving time began on the 10th).
        #expect(CalendarDate(LocalTimestamp(iso: "2024-03-11T03:30:00Z")!.date, in: TimeZone(identifier: "America/New_York")!).description == "2024-03-10")
    }

    @Test func formsThatAreAccepted() {
        let table: [(String, String)] = [
            ("2024-03-10", "2024-03-10 00:00:00"), ("2024-03-10T10:20", "2024-03-10 10:20:00"),
            ("2024-03-10 10:20:30", "2024-03-10 10:20:30"), ("2024-03-10t10:20:30z", "2024-03-10 10:20:30"),
            ("2024-03-10T10:20:30.5Z", "2024-03-10 10:20:30.500000"), ("2024-03-10T10:20:30,25Z", "2024-03-10 10:20:30.250000"),
            ("2024-03-10T10:20:30.123456789Z", "2024-03-10 10:20:30.123457"), ("2024-03-10T23:59:59.9999996Z", "2024-03-11 00:00:00"),
            ("2024-03-10T10:20:30+01", "2024-03-10 09:20:30"), ("  2024-03-10T10:20:30Z ", "2024-03-10 10:20:30"),
            ("1970-01-01T00:00:00Z", "1970-01-01 00:00:00"), ("1969-12-31T23:59:59.5Z", "1969-12-31 23:59:59.500000"),
            ("0001-01-01T00:00:00Z", "0001-01-01 00:00:00"), ("9999-12-31T23:59:59Z", "9999-12-31 23:59:59"),
        ]
        for (input, stored) in table {
            let text = input.count == 10 ? input + "T00:00:00" : input
            #expect(LocalTimestamp(iso: text)?.description == stored, "\(input)")
        }
    }

    /// Anything not a whole, valid timestamp is refused, by `LocalTimestamp` and by `CalendarDate` alike.
    @Test func invalidTimestampsAreRefusedWhole() {
        let bad = [
            "2024-03-10Tnonsense", "2024-03-10T", "2024-03-10T10", "2024-03-10T10:2", "2024-03-10T24:00:00",
            "2024-03-10T10:60:00", "2024-03-10T10:00:60", "2024-03-10T10:00:00.", "2024-03-10T10:00:00.5.5",
            "2024-03-10T10:00:00+16:00", "2024-03-10T10:00:00+05:60", "2024-03-10T10:00:00+5", "2024-03-10T10:00:00Zjunk",
            "2024-03-10T10:00:00 Z", "2024-02-30T10:00:00Z", "2023-02-29T10:00:00Z", "2024-13-01T10:00:00Z",
            "2024-00-10T10:00:00Z", "2024-3-10T10:00:00Z", "24-03-10T10:00:00Z", "2024/03/10T10:00:00Z",
            "2024-03-10X10:00:00Z", "2024-03-10T1a:00:00Z", "2024-03-10T10:00:00\n", "2024-03-10T10:00:00\u{0}",
            "2024-03-10T10:00:00+01:00:00", "0000-01-01T00:00:00Z", "0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00",
            "", "yesterday", "2024-03-1",
        ]
        for text in bad {
            #expect(LocalTimestamp(iso: text) == nil, "\(VisibleText.escaped(text)) is refused as a timestamp")
            #expect(CalendarDate(iso: text) == nil, "\(VisibleText.escaped(text)) is refused as a date")
            #expect(CalendarDate(localDateOf: text) == nil, "\(VisibleText.escaped(text)) is refused as a local date")
        }
    }
}
