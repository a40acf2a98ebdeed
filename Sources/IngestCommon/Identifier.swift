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

    /// A generated name that fits `maxLength` bytes: as it is when it fits; else cut, with `_` and the first
    /// 8 hex digits of the whole name's SHA-256 appended, so two long names sharing a prefix stay apart
    /// (`orders__a_very_long…_column__idx` → `orders__a_very_long…_3f2a9c1e`). `name` is ASCII (an identifier's characters).
    package static func fitted(_ name: String) -> String {
        guard name.utf8.count > maxLength else { return name }
        let hash = String(Checksum.sha256Hex(Array(name.utf8)).prefix(8))
        var kept = String(name.prefix(maxLength - hash.count - 1))
        while kept.hasSuffix("_") { kept.removeLast() }
        return kept + "_" + hash
    }

    /// `name` with `suffix` appended, the name cut first so the result fits `maxLength` bytes (`long_name_2`).
    package static func suffixed(_ name: String, _ suffix: String) -> String {
        String(name.prefix(maxLength - suffix.utf8.count)) + suffix
    }

    /// Double-quotes a name for SQL. Only safe identifiers reach SQL, so this never needs escaping,
    /// but doubling `"` keeps it correct for any input.
    public static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
