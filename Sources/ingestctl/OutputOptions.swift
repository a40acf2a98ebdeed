import ArgumentParser
import Foundation
import IngestKit

/// `--quiet` and `--log-format`, shared by the commands that run for a while.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print nothing but warnings and errors (no progress, no summary).")
    var quiet = false

    @Option(name: .customLong("log-format"), help: "text, or json: one JSON object a line on stderr, for log shippers.")
    var logFormat: OutputStyle.LogFormat = .text

    var style: OutputStyle { OutputStyle(quiet: quiet, logFormat: logFormat) }
}

/// How the CLI writes to stderr: progress drawn for a terminal, plain lines otherwise, or JSON lines.
struct OutputStyle: Sendable {
    enum LogFormat: String, ExpressibleByArgument, CaseIterable, Sendable { case text, json }

    var quiet = false
    var logFormat = LogFormat.text

    var reporter: ProgressReporter {
        ProgressReporter(style: ProgressReporter.style(json: logFormat == .json), quiet: quiet)
    }

    /// A warning or an error line: shown even with --quiet, as JSON with --log-format json.
    func warn(_ line: String) {
        let text = Redactor.shared.redact(line)
        let out = logFormat == .json
            ? JSONLogLine.render(level: text.hasPrefix("error") ? "error" : "warning", label: "ingestctl", message: text)
            : text
        FileHandle.standardError.write(Data((out + "\n").utf8))
    }
}

/// `--output json`: a value as pretty, key-sorted JSON on stdout.
enum JSONOutput {
    static func print(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
