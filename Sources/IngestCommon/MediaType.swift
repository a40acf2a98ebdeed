/// Content type → file extension for bronze object keys.
public enum MediaType {
    private static let table: [(mime: String, ext: String)] = [
        ("application/json", "json"),
        ("text/html", "html"),
        ("text/csv", "csv"),
        ("application/xml", "xml"),
        ("text/xml", "xml"),
        ("text/plain", "txt"),
        ("application/pdf", "pdf"),
        ("application/zip", "zip"),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        ("application/octet-stream", "bin"),
    ]

    /// The extension for a content type (parameters such as `; charset=utf-8` are ignored); a structured syntax
    /// suffix (RFC 6839) names the format of types not in the table: `application/vnd.api+json` (JSON:API),
    /// `application/hal+json` and `application/problem+json` are `json`, `application/atom+xml` is `xml`;
    /// `bin` when unknown.
    public static func fileExtension(for contentType: String) -> String {
        let mime = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        if let known = table.first(where: { $0.mime == mime }) { return known.ext }
        if let plus = mime.lastIndex(of: "+"), let suffix = suffixes[String(mime[mime.index(after: plus)...])] { return suffix }
        return "bin"
    }

    /// Structured syntax suffixes (RFC 6839) and their extensions.
    private static let suffixes = ["json": "json", "xml": "xml", "zip": "zip"]
}
