/// Text made safe to print in a terminal or a log: control characters, white space other than
/// the plain space, and invisible format characters (zero-width space, BOM, direction marks) are
/// escaped as `\t`, `\n`, `\r`, `\0` or `\u{XXXX}`, and a backslash as `\\`, so a value that is
/// "only a tab" or has a NUL in it shows what it holds.
public enum VisibleText {
    public static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\0": out += "\\0"
            case " ": out.unicodeScalars.append(scalar)
            default:
                if needsEscape(scalar) {
                    out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        if Blank.isWhitespace(scalar) { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }
}
