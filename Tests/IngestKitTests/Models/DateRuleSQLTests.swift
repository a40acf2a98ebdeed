import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// Dates derived from stored (UTC) timestamps follow one rule on both warehouses:
/// `Portable.dateOf` is the UTC date, `Portable.localDate` the date at a fixed offset,
/// and both agree with the Swift side (`CalendarDate(iso:)`, `CalendarDate(localDateOf:)`).
@Suite struct DateRuleSQLTests {
    @Test(arguments: WarehouseKind.allCases)
    func dateOfAndLocalDateAgreeWithSwiftForEveryOffset(_ kind: WarehouseKind) async throws {
        let test = try await TestPlatform.make(kind)
        try await test.withWarehouse { warehouse in
            let dialect = warehouse.dialect
            let p = dialect.placeholder(1, .timestamp)
            for offset in stride(from: -12 * 60, through: 14 * 60, by: 30) {
                let zone = String(format: "%@%02d:%02d", offset < 0 ? "-" : "+", abs(offset) / 60, abs(offset) % 60)
                for time in ["00:15:00", "12:00:00", "23:45:30.250000"] {
                    let written = "2024-12-31T\(time)\(zone)"
                    let stored = try #require(LocalTimestamp(iso: written)).description  // UTC, as the loader stores it
                    let sql = "SELECT \(Portable.dateOf(p).render(dialect)) AS utc, \(Portable.localDate(p, utcOffsetMinutes: offset).render(dialect)) AS local"
                    let row = try await warehouse.execute(sql, [.text(stored)]).first
                    #expect(row?["utc"] == CalendarDate(iso: written)?.description, "\(kind) \(written)")
                    #expect(row?["local"] == CalendarDate(localDateOf: written)?.description, "\(kind) \(written)")
                }
            }
        }
    }
}
