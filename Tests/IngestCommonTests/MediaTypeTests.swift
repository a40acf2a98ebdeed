import IngestCommon
import Testing

/// Bronze names an artifact's file after its content type: the extension a user expects to open it with.
@Suite struct MediaTypeTests {
    @Test(arguments: [
        ("application/json; charset=utf-8", "json"),
        ("application/vnd.api+json", "json"),
        ("application/hal+json", "json"),
        ("Application/Problem+JSON", "json"),
        ("application/atom+xml; charset=utf-8", "xml"),
        ("text/csv", "csv"),
        ("application/vnd.example+unknown", "bin"),
        ("image/png", "bin"),
        ("", "bin"),
    ])
    func theExtensionFollowsTheContentTypeAndItsStructuredSuffix(_ contentType: String, _ expected: String) {
        #expect(MediaType.fileExtension(for: contentType) == expected, "\(contentType)")
    }
}
