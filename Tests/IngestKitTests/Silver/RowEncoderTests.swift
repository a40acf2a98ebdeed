import Foundation
import IngestKit
import Testing

struct NoteRow: Sendable {
    var id: String
    var tag: String?
    var body: String?
    var payload: JSONText?
}

enum NotesTable: SourceTableConfig {
    static let sourceName = "fixture"
    static let dataset = "notes"
    static let columns: [Column<NoteRow>] = [
        Column("id", \.id, primaryKey: true),
        Column("tag", \.tag, index: true),
        Column("body", \.body),
        Column("payload", \.payload),
        .checksum(),
        .ingestedAt(),
    ]
}

/// What the encoder refuses or changes, as tables over each family (the same on both warehouses:
/// the encoder runs before either is touched; MessyInputTests runs the cases end to end).
@Suite struct RowEncoderTests {
    let encoder = try! RowEncoder(NotesTable.self)
    /// Data columns come first in `NotesTable`, so their values lead the encoded row.
    func body(_ encoded: RowEncoder<NoteRow>.Encoded) -> String? { encoded.values[2].canonicalText }

    /// Every blank key (empty, each Unicode white space alone, and mixed runs) is refused like a NULL key.
    @Test func blankKeysAreRefused() throws {
        var blanks = ["", " \t\u{3000}\u{A0} "]
        for space in Blank.whitespace { blanks += [String(space), String(space) + String(space)] }
        for key in blanks {
            let error = #expect(throws: RowRefusal.self) { try encoder.encode(NoteRow(id: key), bronzeKey: "k") }
            #expect(error?.column == "id", "\(VisibleText.escaped(key))")
            #expect(error?.reason.contains("primary key id is") == true)
        }
        for key in [" a ", "\u{200B}", "\t0"] {  // not blank: kept exactly as sent
            let encoded = try encoder.encode(NoteRow(id: key), bronzeKey: "k")
            #expect(encoded.values[0].canonicalText == key)
        }
    }

    /// NUL in every position is removed, the row marked sanitized, and the checksum is the stored value's.
    @Test func nulCharactersAreRemovedWherever() throws {
        let table: [(String, String)] = [
            ("\u{0}", ""), ("\u{0}a", "a"), ("a\u{0}", "a"), ("a\u{0}b", "ab"), ("\u{0}\u{0}\u{0}", ""),
            ("a\u{0}b\u{0}c", "abc"), ("é\u{0}😀", "é😀"), (String(repeating: "x\u{0}", count: 1000), String(repeating: "x", count: 1000)),
        ]
        for (raw, stored) in table {
            let dirty = try encoder.encode(NoteRow(id: "1", body: raw), bronzeKey: "k")
            let clean = try encoder.encode(NoteRow(id: "1", body: stored), bronzeKey: "k")
            #expect(body(dirty) == stored)
            #expect(dirty.sanitized)
            #expect(!clean.sanitized)
            #expect(dirty.values == clean.values, "same stored value, same checksum: \(VisibleText.escaped(raw))")
        }
        let strict = try RowEncoder(NotesTable.self, nulCharacters: .reject)
        let refused = #expect(throws: RowRefusal.self) { try strict.encode(NoteRow(id: "1", body: "a\u{0}b"), bronzeKey: "k") }
        #expect(refused?.column == "body")
        #expect(throws: RowRefusal.self) { try encoder.encode(NoteRow(id: "a\u{0}"), bronzeKey: "k") }
    }

    /// JSON values lose raw NULs and `\u0000` escapes (PostgreSQL's jsonb refuses both); an escaped backslash stays.
    @Test func nulEscapesInJSONAreRemoved() throws {
        let table: [(String, String)] = [
            (#"{"a": "x\u0000y"}"#, #"{"a": "xy"}"#), (#"["\u0000", 1]"#, #"["", 1]"#),
            (#"{"a": "\\u0000"}"#, #"{"a": "\\u0000"}"#), (#"{"a": "\\\u0000"}"#, #"{"a": "\\"}"#),
        ]
        for (raw, stored) in table {
            let encoded = try encoder.encode(NoteRow(id: "1", payload: JSONText(raw)), bronzeKey: "k")
            #expect(encoded.values[3].canonicalText == stored, "\(raw)")
            #expect(encoded.sanitized == (raw != stored))
        }
    }

    /// The index limit counts UTF-8 bytes: at the limit a value is kept, one byte over it is refused, naming the column.
    @Test func valuesTooLongForAnIndexAreRefused() throws {
        let limit = RowEncoder<NoteRow>.maxIndexedBytes
        for (value, fits) in [(String(repeating: "a", count: limit), true), (String(repeating: "a", count: limit + 1), false),
                              (String(repeating: "é", count: limit / 2), true), (String(repeating: "€", count: limit / 3 + 1), false)] {
            if fits {
                #expect(try encoder.encode(NoteRow(id: "1", tag: value), bronzeKey: "k").values[1].canonicalText == value)
            } else {
                let error = #expect(throws: RowRefusal.self) { try encoder.encode(NoteRow(id: "1", tag: value), bronzeKey: "k") }
                #expect(error?.column == "tag")
                #expect(error?.reason.contains("indexed column tag holds \(value.utf8.count) bytes") == true)
            }
        }
        // An unindexed column has no limit.
        #expect(try encoder.encode(NoteRow(id: "1", body: String(repeating: "b", count: 100_000)), bronzeKey: "k").values[2].canonicalText?.count == 100_000)
        #expect(throws: RowRefusal.self) { try encoder.encode(NoteRow(id: String(repeating: "k", count: limit + 1)), bronzeKey: "k") }
    }
}
