import IngestCommon
import Testing

@Suite struct BlankTests {
    /// Blank is Unicode's White_Space, exactly: the same set Swift's `isWhitespace` property names.
    @Test func blankIsEveryUnicodeWhiteSpace() {
        let fromUnicode = (UInt32(0)...0x10FFFF).compactMap(Unicode.Scalar.init).filter(\.properties.isWhitespace)
        #expect(Blank.whitespace == fromUnicode)
        for space in Blank.whitespace {
            let s = String(space)
            #expect(Blank.isBlank(s))
            #expect(Blank.isBlank(s + " " + s))
            #expect(Blank.trimmed("\(s)a b\(s)") == "a b")
        }
        #expect(Blank.isBlank(""))
        #expect(!Blank.isBlank("\u{200B}"), "a zero-width space is not white space")
        #expect(!Blank.isBlank("\u{FEFF}"))
        #expect(!Blank.isBlank(" x "))
    }

    /// Samples show control and invisible characters escaped, never raw.
    @Test func visibleTextEscapesWhatCannotBeSeen() {
        let table: [(String, String)] = [
            ("\t", #"\t"#), ("a\u{0}b", #"a\0b"#), ("line\nnext\r", #"line\nnext\r"#), ("\u{A0}", #"\u{A0}"#),
            ("\u{200B}", #"\u{200B}"#), ("\u{FEFF}x", #"\u{FEFF}x"#), ("\u{3000}", #"\u{3000}"#), ("\u{1B}[31m", #"\u{1B}[31m"#),
            ("\u{7F}", #"\u{7F}"#), ("\u{202E}", #"\u{202E}"#), ("back\\slash", #"back\\slash"#), ("plain text é 😀", "plain text é 😀"),
        ]
        for (raw, shown) in table { #expect(VisibleText.escaped(raw) == shown) }
        for space in Blank.whitespace where space != " " {
            #expect(!VisibleText.escaped(String(space)).unicodeScalars.contains(space), "U+\(String(space.value, radix: 16)) is escaped")
        }
    }
}
