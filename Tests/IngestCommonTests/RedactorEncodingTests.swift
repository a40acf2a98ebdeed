import Foundation
import IngestCommon
import Testing

/// Issue 20 item 6: a registered secret is masked in every encoding a server or client echoes it in.
@Suite struct RedactorEncodingTests {
    static let secret = "s3cr/t+Key=9 x"

    static func redactor() -> Redactor {
        let redactor = Redactor()
        redactor.register(secret)
        return redactor
    }

    @Test(arguments: [
        ("as given", "s3cr/t+Key=9 x"),
        ("JSON-escaped", #"s3cr\/t+Key=9 x"#),
        ("JSON unicode escape", #"s3cr\u002ft+Key=9 x"#),
        ("percent-encoded, upper-case hex", "s3cr%2Ft%2BKey%3D9%20x"),
        ("percent-encoded, lower-case hex", "s3cr%2ft%2bKey%3d9%20x"),
        ("form-encoded", "s3cr%2Ft%2BKey%3D9+x"),
        ("percent-encoded with / kept (Python quote)", "s3cr/t%2BKey%3D9%20x"),
        ("every character percent-encoded", "%73%33%63%72%2F%74%2B%4B%65%79%3D%39%20%78"),
    ])
    func everyEncodingIsMasked(_ how: String, _ encoded: String) {
        let text = #"{"detail": "bad token \#(encoded) in /v1?key=\#(encoded)&page=2"}"#
        let masked = Self.redactor().redact(text)
        #expect(masked == #"{"detail": "bad token *** in /v1?key=***&page=2"}"#, "\(how): \(masked)")
    }

    @Test func otherTextIsLeftAsItIs() {
        let text = #"page 2 of /v1/items?limit=50&q=a+b%2Fc: {"next": "\/v1\/items?page=3"}"#
        #expect(Self.redactor().redact(text) == text)
    }

    @Test func basicCredentialsAreMaskedAsTheirBase64() {
        let redactor = Redactor()
        let header = Data("loader:\(Self.secret)".utf8).base64EncodedString()
        redactor.register(header)
        let masked = redactor.redact("Authorization: Basic \(header) (echoed as \(header.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!))")
        #expect(masked == "Authorization: Basic *** (echoed as ***)", "\(masked)")
    }
}
