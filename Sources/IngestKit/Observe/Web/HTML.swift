import IngestCommon

/// Small server-side HTML for `ingestctl serve`'s pages: escaping and the shared page frame.
///
/// Every text that reaches a page goes through ``text(_:)``: secrets masked (``Redactor``),
/// then `&`, `<`, `>`, `"` and `'` escaped, so a value can neither leak a secret nor inject markup.
/// No scripts, fonts or other assets from elsewhere: the page is one self-contained document.
enum HTML {
    /// `value` masked and escaped for element text and quoted attribute values.
    static func text(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for character in Redactor.shared.redact(value) {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A whole page: `title` (escaped here) and `body` (already HTML).
    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>\(text(title))</title>
        <style>
        body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem 2rem; color: #1d232b; background: #fafbfc; }
        h1 { font-size: 1.4rem; margin: 0 0 1rem; } h2 { font-size: 1.1rem; margin: 1.6rem 0 .5rem; }
        table { border-collapse: collapse; background: #fff; } th, td { padding: .3rem .7rem; border: 1px solid #d8dde3; text-align: left; vertical-align: top; }
        th { background: #eef1f4; font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .succeeded, .pass { color: #116b2f; font-weight: 600; } .failed, .error { color: #b3261e; font-weight: 600; }
        .running, .warn { color: #8a5a00; font-weight: 600; } .unchecked, .muted { color: #66707a; }
        .message { min-width: 18rem; max-width: 40rem; white-space: pre-wrap; overflow-wrap: anywhere; }
        td[data-key="run"], td[data-key="started"], code { white-space: nowrap; }
        td.message code { white-space: pre-wrap; overflow-wrap: anywhere; }
        a { color: #0b57d0; } nav { margin-bottom: 1rem; } svg { background: #fff; border: 1px solid #d8dde3; }
        </style>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    /// A table: `header` cells (escaped here) and `rows` of cells already HTML (`<td>…</td>`).
    static func table(id: String, header: [String], rows: [String], empty: String) -> String {
        guard !rows.isEmpty else { return "<p id=\"\(id)\" class=\"muted\">\(text(empty))</p>" }
        return "<table id=\"\(id)\"><thead><tr>" + header.map { "<th>\(text($0))</th>" }.joined() + "</tr></thead><tbody>\n"
            + rows.joined(separator: "\n") + "\n</tbody></table>"
    }

    /// A cell holding `value` escaped; `cssClass` and `key` (a `data-key` for tests and scripts) when given.
    static func cell(_ value: String, cssClass: String? = nil, key: String? = nil) -> String {
        let classAttribute = cssClass.map { " class=\"\(text($0))\"" } ?? ""
        let keyAttribute = key.map { " data-key=\"\(text($0))\"" } ?? ""
        return "<td\(classAttribute)\(keyAttribute)>\(text(value))</td>"
    }

    /// A right-aligned number cell.
    static func number(_ value: Int, key: String? = nil) -> String { cell(String(value), cssClass: "num", key: key) }

    /// Seconds as `12.3 s`, or `—` when unknown.
    static func seconds(_ value: Double?) -> String { value.map { String(format: "%.1f s", $0) } ?? "—" }
}
