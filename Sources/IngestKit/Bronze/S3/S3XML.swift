import Foundation

/// Reads the few elements S3's XML answers carry (`Key`, `IsTruncated`,
/// `NextContinuationToken`, `UploadId`, `Code`, `Message`).
///
/// S3's answers are flat, machine-written XML with no attributes we need, so
/// a scan for `<Tag>text</Tag>` plus entity decoding is enough and avoids
/// linking libxml2 through FoundationXML.
enum S3XML {
    /// The text of every `<tag>…</tag>` element, in document order, entities decoded (`decoded`; otherwise
    /// as it stands, e.g. to read the elements inside it).
    static func values(of tag: String, in data: Data, decoded: Bool = true) -> [String] {
        let text = String(decoding: data, as: UTF8.self)
        let open = "<\(tag)>", close = "</\(tag)>"
        var out: [String] = []
        var rest = text[...]
        while let start = rest.range(of: open) {
            guard let end = rest.range(of: close, range: start.upperBound..<rest.endIndex) else { break }
            let content = String(rest[start.upperBound..<end.lowerBound])
            out.append(decoded ? decodeEntities(content) : content)
            rest = rest[end.upperBound...]
        }
        return out
    }

    static func first(_ tag: String, in data: Data) -> String? {
        values(of: tag, in: data).first
    }

    /// Escapes text for an element's content.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { break }
            let name = rest[rest.index(after: amp)..<semi]
            switch name {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                let number: UInt32? = name.hasPrefix("#x") ? UInt32(name.dropFirst(2), radix: 16)
                    : name.hasPrefix("#") ? UInt32(name.dropFirst()) : nil
                if let number, let scalar = Unicode.Scalar(number) {
                    out.unicodeScalars.append(scalar)
                } else {
                    out += rest[amp...semi]
                }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}
