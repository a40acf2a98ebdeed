import Foundation

/// How an artifact was obtained (the guide's extraction methods).
public enum ExtractionMethod: String, Sendable, Codable, CaseIterable {
    case apiJSON = "api_json"
    case xhrJSON = "xhr_json"
    case domHTML = "dom_html"
    case exportDownload = "export_download"
    case domHTMLSnapshot = "dom_html_snapshot"
}

/// Raw bytes from a source, exactly as received: what bronze stores.
public struct RawArtifact: Sendable {
    /// Unique within a run, a safe file name (e.g. `page_0001`).
    public var artifactId: String
    public var bytes: Data
    /// Where the bytes came from; secrets are removed before it is stored.
    public var url: String
    public var contentType: String
    public var extractionMethod: ExtractionMethod

    public init(artifactId: String, bytes: Data, url: String, contentType: String, extractionMethod: ExtractionMethod) {
        self.artifactId = artifactId
        self.bytes = bytes
        self.url = url
        self.contentType = contentType
        self.extractionMethod = extractionMethod
    }
}
