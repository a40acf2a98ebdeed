import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// Blank means the same in Swift and in SQL on both warehouses: `Portable.blankToDefault`,
/// `trimWhitespace` and `safeCast` trim every Unicode white space, and nothing else.
@Suite struct BlankSQLTests {
    @Test(arguments: WarehouseKind.allCases)
    func blankToDefaultTrimsEveryUnicodeWhiteSpace(_ kind: WarehouseKind) async throws {
        var samples: [String] = ["", "x", " x ", "\u{200B}", "\u{FEFF}x\u{FEFF}", "a\tb"]
        for space in Blank.whitespace {
            let s = String(space)
            samples += [s, s + s, "\(s)Shipped\(s)", "\(s) \t\(s)", "in\(s)side"]
        }
        let test = try await TestPlatform.make(kind)
        try await test.withWarehouse { warehouse in
            let dialect = warehouse.dialect
            let parameter = dialect.placeholder(1, .text)
            let sql = "SELECT \(Portable.blankToDefault(parameter).render(dialect)) AS v, \(Portable.trimWhitespace(parameter).render(dialect)) AS t"
            for sample in samples {
                let row = try await warehouse.execute(sql, [.text(sample)]).first
                let expected = Blank.isBlank(sample) ? "Unknown" : Blank.trimmed(sample)
                #expect(row?["v"] == expected, "\(kind): \(VisibleText.escaped(sample))")
                #expect(row?["t"] == Blank.trimmed(sample), "\(kind): \(VisibleText.escaped(sample))")
            }
            let null = try await warehouse.execute("SELECT \(Portable.blankToDefault("NULL").render(dialect)) AS v").first
            #expect(null?["v"] == "Unknown")
            for space in Blank.whitespace {
                let padded = "\(space)42\(space)"
                let cast = try await warehouse.execute(
                    "SELECT \(Portable.safeCast(parameter, as: .integer).render(dialect)) AS n", [.text(padded)]).first
                #expect(cast?["n"] == "42", "\(kind): \(VisibleText.escaped(padded))")
            }
        }
    }
}
