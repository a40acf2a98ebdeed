import Foundation
import IngestKit
import Testing

/// Issue 20 item 6: `ingestctl new --from-url '…?api_key=…'` turns the secret-looking query parameter into
/// `<SOURCE>_API_TOKEN` sent with `.apiKeyQuery(name:variable:)`, and no file of the folder holds the value.
@Suite struct ScaffoldSecretQueryTests {
    static let key = "k3y/with+slash=and"

    /// A sample that echoes the key, percent-encoded and JSON-escaped.
    static let sample = #"{"count": 1, "self": "https://api.example.com/v1/items?api_key=k3y%2Fwith%2Bslash%3Dand", "echo": "k3y\/with+slash=and", "results": [{"id": 1, "name": "a"}]}"#

    func scaffold(_ parameter: String) throws -> SourceScaffold {
        let url = "https://api.example.com/v1/items?\(parameter)=\(Self.key.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&status=open"
        let request = try SampleRequest(url: url)
        let sample = Data(Self.sample.utf8)
        return try SourceScaffold(source: "shop_api", dataset: "items", request: request,
                                  shape: SampleShape(json: sample, dataset: "items"), sample: sample)
    }

    @Test(arguments: ["api_key", "access_token", "token", "key", "signature"])
    func aSecretQueryParameterBecomesTheTokenVariableAndApiKeyQueryAuth(_ parameter: String) throws {
        let scaffold = try scaffold(parameter)
        #expect(scaffold.request.tokenQuery == parameter)
        #expect(scaffold.request.token == Self.key)
        #expect(scaffold.request.query.map(\.name) == ["status"], "the key leaves the fixed query")
        let files = scaffold.newSourceFiles()
        let definition = try #require(files.first { $0.path.hasSuffix("/ItemsDataset.swift") || $0.text.contains("RESTExtractor(") }).text
        #expect(definition.contains(#"auth: .apiKeyQuery(name: "\#(parameter)", variable: "SHOP_API_API_TOKEN")"#), "\(definition)")
        #expect(definition.contains(#"query: ["status": "open"]"#), "\(definition)")
        let env = try #require(files.first { $0.path.hasSuffix(".env.example") }).text
        #expect(env.contains("SHOP_API_API_TOKEN"), "\(env)")
        for file in files {
            for fragment in ["k3y", "slash"] { #expect(!file.text.contains(fragment), "\(file.path) holds the key:\n\(file.text)") }
        }
    }

    @Test func aSecretQueryParameterAndAHeaderTogetherAreRefused() {
        let error = #expect(throws: IngestError.self) {
            try SampleRequest(url: "https://api.example.com/v1/items?api_key=abcd1234", headers: ["X-Token: efgh5678"])
        }
        #expect(error?.message.contains("api_key") == true)
        #expect(error?.message.contains("efgh5678") == false && error?.message.contains("abcd1234") == false)
    }
}
