import Foundation

/// `trimmingCharacters(in: .whitespaces)` (tab and the Unicode `Zs` spaces) without calling
/// Foundation for the usual text that neither starts nor ends with such a character.
enum SpaceTrim {
    static func trimmed(_ text: String) -> String {
        guard let first = text.utf8.first, let last = text.utf8.last,
              first < 0x80, first != 0x20, first != 0x09, last < 0x80, last != 0x20, last != 0x09 else {
            return text.trimmingCharacters(in: .whitespaces)
        }
        return text
    }
}
