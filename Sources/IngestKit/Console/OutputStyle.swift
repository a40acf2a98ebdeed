import Foundation
import IngestCommon
import Logging

/// How a command-line program writes to stderr: progress drawn for a terminal, plain lines
/// otherwise, or JSON lines (`--log-format json`); `quiet` keeps only warnings and errors.
public struct OutputStyle: Sendable {
    public enum LogFormat: String, CaseIterable, Sendable { case text, json }

    public var quiet: Bool
    public var logFormat: LogFormat

    public init(quiet: Bool = false, logFormat: LogFormat = .text) {
        self.quiet = quiet
        self.logFormat = logFormat
    }

    public var reporter: ProgressReporter {
        ProgressReporter(style: ProgressReporter.style(json: logFormat == .json), quiet: quiet)
    }

    /// A warning or an error line on stderr: shown even when quiet, as JSON with `.json`, redacted.
    public func warn(_ line: String) {
        let text = Redactor.shared.redact(line)
        let out = logFormat == .json
            ? JSONLogLine.render(level: text.hasPrefix("error") ? "error" : "warning", label: "ingestctl", message: text)
            : text
        FileHandle.standardError.write(Data((out + "\n").utf8))
    }
}

/// Which format a listing prints in (`--output`).
public enum OutputFormat: String, CaseIterable, Sendable { case text, json }

extension Platform {
    /// The platform as `ingestctl` sets it up: settings from the environment and `.env`, logs through
    /// the redacting handler at `INGEST_LOG_LEVEL` (default `warning`) in `style`'s format, and progress
    /// and notices drawn by `style`'s reporter. Bootstraps the process's logging: call it once.
    public static func commandLine(_ style: OutputStyle = OutputStyle()) throws -> Platform {
        let settings = try Settings.load()
        let level = Logger.Level(rawValue: settings["INGEST_LOG_LEVEL"] ?? "warning") ?? .warning
        let json = style.logFormat == .json
        LoggingSystem.bootstrap { label in
            RedactingLogHandler(label: label, level: level, json: json)
        }
        let reporter = style.reporter
        var platform = try Platform(settings: settings, say: { line in reporter.say(line) })
        platform.progress = { progress in reporter.report(progress) }
        return platform
    }
}
