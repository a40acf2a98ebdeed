import ArgumentParser
import Foundation
import IngestKit
import IngestTesting

/// `ingestctl fixtures serve <folder>`: IngestTesting's `RecordedAPI` from the command line, so a source author
/// (or a script) runs a source against recorded artifacts or fixture files with no demo server of their own.
struct FixturesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixtures", abstract: "Serve recorded runs or fixture files as an API on 127.0.0.1.", subcommands: [Serve.self])

    struct Serve: IngestCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Serve a folder of recorded artifacts or fixture files on 127.0.0.1 until stopped (Ctrl-C).",
            discussion: """
                The folder is a recorded run (recording.json, written by `ingestctl record`), a dataset's \
                recordings (Fixtures/<dataset>/: the newest run, or --run), fixture files with a routes.json \
                ([{"url": "/path?query", "file": "name", "content_type": "…"}]: a request is answered by the \
                file whose URL has the same path and query parameters, a URL listed twice in order), or fixture \
                files alone (each at its path in the folder, any query). Other requests get a 404 naming what is \
                served. The first line printed is the base URL, e.g. http://127.0.0.1:54321: set the source's \
                <SOURCE>_BASE_URL to it.
                """)

        @Argument(help: "The folder to serve, e.g. Sources/Sources/MySource/Tests/Fixtures/orders.")
        var folder: String

        @Option(help: "The port (default: any free port; the first line printed names it).")
        var port: Int = 0

        @Option(name: .customLong("run"), help: "Which recorded run of a dataset's folder (default: the newest).")
        var runId: String?

        @Option(name: .customLong("require-header"),
                help: "\"Name: value\" every request must carry (else 401), e.g. the API's token header; the value is never printed.")
        var requiredHeaders: [String] = []

        func execute() async throws {
            let headers = try requiredHeaders.map { text -> (name: String, value: String) in
                guard let colon = text.firstIndex(of: ":") else {
                    throw IngestError("--require-header \"\(text.prefix(40))\" has no colon", fix: "write it as \"Name: value\"")
                }
                let name = text[..<colon].trimmingCharacters(in: .whitespaces), value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty, !value.isEmpty else { throw IngestError("--require-header \(name) has no name or no value", fix: "write it as \"Name: value\"") }
                Redactor.shared.register(value)
                return (name, value)
            }
            let api = try await RecordedAPI.start(folder: folder, runId: runId, port: port, requiredHeaders: headers)
            // The base URL first, on its own line and flushed, for a script waiting for it.
            FileHandle.standardOutput.write(Data("\(api.baseURL)\n".utf8))
            FileHandle.standardError.write(Data("serving \(folder) on \(api.baseURL) until stopped (Ctrl-C)\n".utf8))
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(3600))
            }
            await api.stop()
        }
    }
}
