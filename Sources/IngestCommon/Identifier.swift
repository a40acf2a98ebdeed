/// A safe snake_case SQL identifier: lower-case letters, digits and `_`,
/// starting with a letter or `_`, at most 63 bytes (PostgreSQL's limit).
///
/// Identifiers are the only names the platform writes into SQL, so a name that
/// is not one (`orders; drop table x`) is refused before any store is touched.
public enum Identifier {
    public static let maxLength = 63

    public static func isSafe(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= maxLength else { return false }
        guard first == UInt8(ascii: "_") || (first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z")) else {
            return false
        }
        return name.utf8.allSatisfy { byte in
            byte == UInt8(ascii: "_")
                || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
    }

    /// Turns any text into a snake_case suggestion for error messages.
    public static func suggestion(for name: String) -> String {
        var out = ""
        var lastWasUnderscore = false
        for scalar in name.unicodeScalars {
            if scalar.properties.isUppercase, !out.isEmpty, !lastWasUnderscore { out.append("_") }
            let lower = String(scalar).lowercased()
            if lower.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) }) {
                out += lower
                lastWasUnderscore = false
            } else if !lastWasUnderscore, !out.isEmpty {
                out.append("_")
                lastWasUnderscore = true
            }
        }
        while out.hasSuffix("_") { out.removeLast() }
        if let first = out.first, first.isNumber { out = "_" + out }
        return out.isEmpty ? "name" : String(out.prefix(maxLength))
    }

    /// Double-quotes a name for SQL. Only safe identifiers reach SQL, so this never needs escaping,
    /// but doubling `"` keeps it correct for any input.
    public static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
