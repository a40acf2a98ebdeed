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

    /// The extension for a content type (parameters such as `; charset=utf-8` are ignored); `bin` when unknown.
    public static func fileExtension(for contentType: String) -> String {
        let mime = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return table.first { $0.mime == mime }?.ext ?? "bin"
    }
}
