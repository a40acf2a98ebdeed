import Foundation
import IngestKit
import Testing

/// Columns read their field at its byte offset for the common types; every field type gives the value
/// its key path gives (computed properties and other types go through the key path).
@Suite struct ColumnReaderTests {
    struct Wide: Sendable {
        var flag: Bool = true
        var text: String = "t"
        var maybeText: String? = "é😀"
        var small: Int = -3
        var maybeSmall: Int? = nil
        var big: Int64 = .min
        var maybeBig: Int64? = 9
        var maybeFlag: Bool? = false
        var amount: ExactDecimal = ExactDecimal("12.50")!
        var maybeAmount: ExactDecimal? = ExactDecimal(String(repeating: "7", count: 50))
        var day: CalendarDate = CalendarDate(year: 2024, month: 2, day: 29)!
        var maybeDay: CalendarDate? = nil
        var stamp: LocalTimestamp? = LocalTimestamp(iso: "2025-01-02T03:04:05Z")
        var json: JSONText? = JSONText(#"{"k": [1]}"#)
        var decimal: Decimal = Decimal(string: "0.1")!
        var computed: String { text + "!" }
    }

    @Test func everyFieldTypeReadsAsItsKeyPath() {
        let rows = [Wide(), Wide(flag: false, text: "", maybeText: nil, small: .max, maybeSmall: 0, big: 1, maybeBig: nil, maybeFlag: nil,
                                amount: ExactDecimal("-0.001")!, maybeAmount: nil, day: CalendarDate(year: 1, month: 1, day: 1)!,
                                maybeDay: CalendarDate(year: 9999, month: 12, day: 31)!, stamp: nil, json: nil, decimal: 5)]
        func check<V: ColumnValue>(_ path: KeyPath<Wide, V> & Sendable, sourceLocation: SourceLocation = #_sourceLocation) {
            guard case .data(let read) = Column<Wide>("c", path).role else {
                Issue.record("not a data column", sourceLocation: sourceLocation)
                return
            }
            for row in rows { #expect(read(row) == row[keyPath: path].sqlValue, sourceLocation: sourceLocation) }
        }
        check(\.flag); check(\.text); check(\.maybeText); check(\.small); check(\.maybeSmall); check(\.big); check(\.maybeBig)
        check(\.maybeFlag); check(\.amount); check(\.maybeAmount); check(\.day); check(\.maybeDay); check(\.stamp); check(\.json)
        check(\.decimal); check(\.computed)
    }
}
