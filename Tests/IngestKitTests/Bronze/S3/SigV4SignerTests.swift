import Foundation
@testable import IngestKit
import Testing

/// The signer proven by known answers (botocore's signer and AWS's published examples), plus the S3-specific bits.
@Suite struct SigV4SignerTests {
    /// `20150830T123600Z` as a date.
    static func date(_ text: String) -> Date {
        let digits = text.filter(\.isNumber).map { Int(String($0))! }
        func number(_ range: Range<Int>) -> Int { digits[range].reduce(0) { $0 * 10 + $1 } }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: number(0..<4), month: number(4..<6), day: number(6..<8),
                                                  hour: number(8..<10), minute: number(10..<12), second: number(12..<14)))!
    }

    static func sign(_ answer: SigV4KnownAnswer) -> SigV4Signer.Signature {
        let signer = SigV4Signer(credentials: .init(accessKey: answer.accessKey, secretKey: answer.secretKey),
                                 region: answer.region, service: answer.service, addsContentSHA256: answer.service == "s3")
        let request = SigV4Signer.Request(method: answer.method, host: answer.host, path: answer.path, query: answer.query,
                                          headers: answer.headers + [("Host", answer.host)])
        return signer.sign(request, payload: answer.signedPayload ? .bytes(Data(answer.body.utf8)) : .unsigned, date: date(answer.date))
    }

    @Test(arguments: sigV4KnownAnswers.map(\.name))
    func matchesBotocore(_ name: String) {
        let answer = sigV4KnownAnswers.first { $0.name == name }!
        let signature = Self.sign(answer)
        #expect(signature.authorization == answer.authorization, "canonical request:\n\(signature.canonicalRequest)")
        let sent = signature.headers.first { $0.0 == "X-Amz-Content-SHA256" }?.1
        #expect(sent == answer.contentSHA256)
    }

    /// AWS's published signatures, written out here so they do not depend on the generator.
    @Test func matchesAWSPublishedSignatures() {
        let published = [
            "get-vanilla": "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            "s3-get-object-range": "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            "s3-get-lifecycle": "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
            "s3-list-objects": "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
        ]
        for (name, signature) in published {
            let answer = sigV4KnownAnswers.first { $0.name == name }!
            #expect(Self.sign(answer).authorization.hasSuffix("Signature=\(signature)"), "\(name)")
        }
    }

    /// AWS's S3 "PUT object" example signs its Date header too (botocore drops Date, so it is not a generated case).
    @Test func matchesAWSPutObjectExampleWithDateHeader() {
        let signer = SigV4Signer(credentials: .init(accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                                 region: "us-east-1")
        let request = SigV4Signer.Request(method: "PUT", host: "examplebucket.s3.amazonaws.com", path: "/test$file.text", headers: [
            ("Host", "examplebucket.s3.amazonaws.com"), ("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        ])
        let signature = signer.sign(request, payload: .bytes(Data("Welcome to Amazon S3.".utf8)), date: Self.date("20130524T000000Z"))
        #expect(signature.authorization.hasSuffix("Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"))
    }

    @Test func hashedAndUnsignedPayloads() {
        let signer = SigV4Signer(credentials: .init(accessKey: "AKIDEXAMPLE", secretKey: "secret-key-example"), region: "us-east-1")
        let request = SigV4Signer.Request(method: "PUT", host: "127.0.0.1:9000", path: "/b/k")
        let date = Self.date("20261127T000000Z")
        let hashed = signer.sign(request, payload: .bytes(Data("hello".utf8)), date: date)
        let unsigned = signer.sign(request, payload: .unsigned, date: date)
        let sha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        #expect(hashed.headers.contains { $0 == ("X-Amz-Content-SHA256", sha) })
        #expect(hashed.canonicalRequest.hasSuffix("\n" + sha))
        #expect(hashed.canonicalRequest.contains("x-amz-content-sha256:\(sha)\n"))
        #expect(unsigned.headers.contains { $0 == ("X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD") })
        #expect(unsigned.canonicalRequest.hasSuffix("\nUNSIGNED-PAYLOAD"))
        #expect(hashed.authorization != unsigned.authorization)
        #expect(hashed.authorization.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date,"))
        #expect(!hashed.authorization.contains("secret-key-example"))
    }

    @Test func encodesKeysAndQueryValuesOnce() {
        #expect(SigV4Signer.canonicalURI("/lakehouse/bronze/dataset=orders/run_id=a b/x+y.json")
                == "/lakehouse/bronze/dataset%3Dorders/run_id%3Da%20b/x%2By.json")
        #expect(SigV4Signer.canonicalURI("") == "/")
        #expect(SigV4Signer.canonicalURI("/b/é~") == "/b/%C3%A9~")
        #expect(SigV4Signer.canonicalQuery([("prefix", "bronze/a=b/"), ("continuation-token", "1/x+y=="), ("list-type", "2"), ("uploads", "")])
                == "continuation-token=1%2Fx%2By%3D%3D&list-type=2&prefix=bronze%2Fa%3Db%2F&uploads=")
        #expect(SigV4Signer.canonicalQuery([("b", "2"), ("a", "2"), ("a", "1")]) == "a=1&a=2&b=2")
    }
}
