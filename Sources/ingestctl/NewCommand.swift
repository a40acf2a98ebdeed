import ArgumentParser
import Foundation
import IngestKit

/// `ingestctl new <source> <dataset>`: writes a source's folder (or a dataset into it) from a sample
/// response. Inference and rendering are IngestKit's (`SampleShape`, `SourceScaffold`); this only fetches and writes.
struct NewCommand: IngestCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Scaffold a source's folder Sources/Sources/<Name>/ (or add a dataset to it), typed from a sample response.",
        discussion: """
            Run in the repository. Writes the row and its columns (the row is also the record when every field is at \
            the top level; else an item type and a parse function), the dataset value (a declarative REST \
            definition, or an extractor with --kind api), staging/intermediate/marts models with tests, and a test \
            target (Tests/ in the folder) that serves the sample on 127.0.0.1 and runs the dataset end to end. \
            --kind browser (a page's HTML table, browsed with headless chromium) and --kind export (a CSV file \
            downloaded) start from a built-in table instead of --from-url: the extractor, a TableRecord parser and \
            a fixture page or CSV file served to the test by IngestTesting's RecordedAPI. \
            Nothing outside the folder is edited but the git-ignored .env, which receives <SOURCE>_BASE_URL and the \
            --header's token as <SOURCE>_API_TOKEN; the source's variables are listed in the folder's .env.example \
            (what `ingestctl env <source>` prints). Without --from-url, a small built-in sample stands in for the API.
            """)

    @Argument(help: "The source, snake_case (my_source → Sources/Sources/MySource/).")
    var source: String

    @Argument(help: "The dataset, snake_case (permits → table city_permits.permits).")
    var dataset: String

    @Option(help: "How the dataset extracts: rest (a declarative REST definition), api (an extractor of its own), browser (a page's table, with headless chromium) or export (a CSV file downloaded).")
    var kind: String = "rest"

    @Option(name: .customLong("from-url"), help: "One page of the API to sample: its records give the columns and types.")
    var fromURL: String?

    @Option(name: .customLong("header"), help: "\"Name: value\" sent with the sample request; the value becomes the secret <SOURCE>_API_TOKEN.")
    var headers: [String] = []

    @Option(help: "The field that identifies a record, when the guess (id, <dataset>_id, *_number) does not fit.")
    var key: String?

    @Option(help: ArgumentHelp("The query parameter that takes the start of an incremental window, e.g. 'filter[updated_since]' or since (--kind rest): a first run loads everything, later runs from the last watermark.", valueName: "parameter"))
    var incremental: String?

    func execute() async throws {
        guard let kind = SourceScaffold.Kind(rawValue: kind) else {
            throw IngestError("--kind \(self.kind) is not one ingestctl new generates",
                              fix: "use --kind \(SourceScaffold.Kind.allCases.map(\.rawValue).joined(separator: ", --kind "))")
        }
        if kind.isTable, fromURL != nil || !headers.isEmpty {
            throw IngestError("--from-url and --header sample a JSON API; --kind \(kind.rawValue) starts from a built-in table (a page's or an export's columns)",
                              fix: "leave them out, then edit the columns in the generated \(ScaffoldNames.typeName(dataset))Table.swift and the fixture to fit the \(kind == .browser ? "page" : "export")")
        }
        let root = FileManager.default.currentDirectoryPath
        guard FileManager.default.fileExists(atPath: root + "/Package.swift"), FileManager.default.fileExists(atPath: root + "/Sources/Sources") else {
            throw IngestError("\(root) is not the IngestKit repository (no Package.swift and Sources/Sources/)", fix: "run ingestctl new in the repository's root folder")
        }
        let request: SampleRequest
        let sample: Data
        if let fromURL {
            request = try SampleRequest(url: fromURL, headers: headers)
            FileHandle.standardError.write(Data("sampling \(Redactor.shared.redactURL(request.url))\n".utf8))
            sample = try await HTTPFetcher(maxResponseBytes: 64 << 20).get(request.url, headers: request.sampleHeaders).body
        } else {
            guard headers.isEmpty else { throw IngestError("--header needs --from-url", fix: "give the URL to sample with --from-url") }
            request = try SampleRequest(url: "https://api.example.com/v1/\(dataset)")
            sample = SourceScaffold.builtInSample
        }
        let shape = try SampleShape(json: sample, dataset: dataset)
        if incremental != nil, kind != .rest {
            throw IngestError("--incremental writes the window of a declarative REST definition; --kind \(kind.rawValue) has none",
                              fix: "use --kind rest, or read context.lastWatermark in the generated extractor")
        }
        var scaffold = try SourceScaffold(source: source, dataset: dataset, kind: kind, request: request, shape: shape, sample: sample, key: key)
        scaffold.incrementalParameter = incremental

        let sourceFile = "\(root)/\(scaffold.folder)/\(scaffold.module)Source.swift"
        var files: [SourceScaffold.File]
        var written: [String] = []
        if FileManager.default.fileExists(atPath: "\(root)/\(scaffold.folder)") {
            guard let text = try? String(contentsOfFile: sourceFile, encoding: .utf8) else {
                throw IngestError("\(scaffold.folder) exists but has no \(scaffold.module)Source.swift", fix: "add the dataset by hand (Docs/AddingASource.md), or pick another source name")
            }
            files = scaffold.datasetFiles() + [scaffold.fixture()]
            try refuseExisting(files, root: root)
            try scaffold.addingDataset(to: text).write(toFile: sourceFile, atomically: true, encoding: .utf8)
            written.append("\(scaffold.folder)/\(scaffold.module)Source.swift (dataset added)")
            let envExample = "\(root)/\(scaffold.envExample().path)"
            if let old = try? String(contentsOfFile: envExample, encoding: .utf8) {
                let new = scaffold.addingVariables(toEnvExample: old)
                if new != old {
                    try new.write(toFile: envExample, atomically: true, encoding: .utf8)
                    written.append("\(scaffold.envExample().path) (variables added)")
                }
            } else {
                FileHandle.standardError.write(Data("note: \(scaffold.envExample().path) is missing: after the build, swift run ingestctl env \(scaffold.source) > \(scaffold.envExample().path)\n".utf8))
            }
        } else {
            files = scaffold.newSourceFiles()
            try refuseExisting(files, root: root)
        }
        for file in files {
            let path = "\(root)/\(file.path)"
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try file.text.write(toFile: path, atomically: true, encoding: .utf8)
            written.append(file.path)
        }
        for path in written { print("wrote \(path)") }
        let env = try writeEnv(root: root, scaffold: scaffold)
        if !env.isEmpty { print("set \(env.joined(separator: ", ")) in .env (git-ignored)") }
        if let name = scaffold.request.tokenQuery {
            print("the query parameter \(name) looks secret: it is \(scaffold.tokenVariable), sent with .apiKeyQuery(name: \"\(name)\", variable: \"\(scaffold.tokenVariable)\"); its value is not in \(scaffold.folder)")
        }

        let tryIt = kind.isTable ? """
              swift run ingestctl fixtures serve \(scaffold.folder)/Tests/Fixtures --port 8765   # the fixture \(kind == .browser ? "page" : "export"), until Ctrl-C
              \(scaffold.baseURLVariable)=http://127.0.0.1:8765 swift run ingestctl run \(source).\(dataset)
            """ : "  swift run ingestctl run \(source).\(dataset)"
        print("""

            primary key: \(scaffold.key.column) (a guess from the sample: confirm it in \(scaffold.folder)/\(scaffold.datasetType)Table.swift)\(scaffold.kind == .rest ? scaffold.pagingNotes.map { "\n" + $0 }.joined() : "")
            columns: \(scaffold.shape.fields.map { "\($0.column) \($0.type.rawValue)" }.joined(separator: ", "))

            next:
              swift package purge-cache && touch Package.swift && swift build   # a checkout that built before (SwiftPM caches the folder list)
            \(tryIt)
              scripts/test-source.sh \(scaffold.module)                          # its tests, on SQLite and a private PostgreSQL
              swift run ingestctl env \(source)                                   # the source's variables (\(scaffold.folder)/.env.example)
            """)
    }

    func refuseExisting(_ files: [SourceScaffold.File], root: String) throws {
        if let existing = files.first(where: { FileManager.default.fileExists(atPath: "\(root)/\($0.path)") }) {
            throw IngestError("\(existing.path) exists already; nothing was written", fix: "pick another dataset name, or remove the file first")
        }
    }

    /// Adds the base URL and the token to `.env` when `.gitignore` keeps `.env` out of git; never overwrites a value
    /// (a name `.env` sets already, also as `export NAME=…`, is left as it is).
    func writeEnv(root: String, scaffold: SourceScaffold) throws -> [String] {
        let ignore = (try? String(contentsOfFile: "\(root)/.gitignore", encoding: .utf8)) ?? ""
        guard ignore.split(separator: "\n").contains(where: { $0.trimmingCharacters(in: .whitespaces) == ".env" }) else { return [] }
        var values: [(String, String)] = []
        if fromURL != nil { values.append((scaffold.baseURLVariable, scaffold.request.baseURL)) }
        if let token = scaffold.request.token { values.append((scaffold.tokenVariable, token)) }
        let path = "\(root)/.env"
        var text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        // The names .env sets, read as every run reads them (comments, `export`, quotes); a line it cannot read stops here, naming it.
        let present = Set(try DotEnv.parse(text, file: path).keys)
        var added: [String] = []
        for (name, value) in values where !present.contains(name) {
            if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
            text += "\(name)=\(value)\n"
            added.append(name)
        }
        if !added.isEmpty {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            _ = try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        }
        return added
    }
}
