import Foundation
import IngestKit
import IngestTestSupport
import Testing

/// Issue 20 item 6 as a new user tries it: `ingestctl new … --from-url '…?api_key=…'` against a real local API
/// that echoes the key writes no literal key into the source's folder, only into the git-ignored `.env`.
@Suite struct NewSecretQueryTests {
    static let key = "Zq8/Lm+Wt=Vx"

    @Test func aKeyInTheSampleURLBecomesTheTokenVariableAndIsInNoFileOfTheFolder() async throws {
        let encoded = Self.key.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let escaped = Self.key.replacingOccurrences(of: "/", with: #"\/"#)
        let api = try await LoopbackHTTPServer.start { request in
            guard request.query["api_key"] == Self.key else { return .json(#"{"detail": "bad key"}"#, status: 401) }
            return .json(#"{"self": "/v1/items?api_key=\#(encoded)", "echo": "\#(escaped)", "results": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]}"#)
        }
        defer { Task { await api.stop() } }
        let root = try Ingestctl.workingDirectory("new-secret-query")
        try FileManager.default.createDirectory(atPath: root + "/Sources/Sources", withIntermediateDirectories: true)
        try Data("// a checkout's manifest\n".utf8).write(to: URL(fileURLWithPath: root + "/Package.swift"))
        try Data(".env\n".utf8).write(to: URL(fileURLWithPath: root + "/.gitignore"))

        let new = try await Ingestctl.run(try Ingestctl.process(
            ["new", "shop_api", "items", "--from-url", "\(api.baseURL)/v1/items?api_key=\(encoded)&status=open"], environment: [:], in: root))
        #expect(new.status == 0, "\(new.stderr)")
        #expect(new.stdout.contains(#"the query parameter api_key looks secret: it is SHOP_API_API_TOKEN, sent with .apiKeyQuery(name: "api_key", variable: "SHOP_API_API_TOKEN")"#),
                "\(new.stdout)")
        let folder = root + "/Sources/Sources/ShopApi"
        let files = FileManager.default.enumerator(atPath: folder)?.allObjects.compactMap { $0 as? String } ?? []
        #expect(files.contains("ItemsDataset.swift") && files.contains("Tests/Fixtures/items.json"), "\(files)")
        let dataset = try String(contentsOfFile: folder + "/ItemsDataset.swift", encoding: .utf8)
        #expect(dataset.contains(#"auth: .apiKeyQuery(name: "api_key", variable: "SHOP_API_API_TOKEN")"#), "\(dataset)")
        #expect(dataset.contains(#"query: ["status": "open"]"#), "\(dataset)")
        for file in files {
            let text = (try? String(contentsOfFile: folder + "/" + file, encoding: .utf8)) ?? ""
            for fragment in ["Zq8", "Lm+Wt", "Lm%2BWt", "Wt=Vx", "Wt%3DVx"] { #expect(!text.contains(fragment), "\(file) holds the key:\n\(text)") }
        }
        for text in [new.stdout, new.stderr] { #expect(!text.contains("Zq8"), "\(text)") }
        let env = try String(contentsOfFile: root + "/.env", encoding: .utf8)
        #expect(env.contains("SHOP_API_API_TOKEN="), "the key goes into the git-ignored .env: \(env)")
    }
}
