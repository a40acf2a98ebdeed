import Foundation
import IngestCommon

/// Draws a run's progress and its notices on stderr, in one of three styles:
///
/// - `.terminal` (stderr is a TTY): the extract step's counter is redrawn in place
///   (`extract: 12 pages, 380 kB, 4.1 pages/s`); each finished step leaves one line.
/// - `.plain` (a pipe or a file): one line per finished step, never a control character.
/// - `.json` (`--log-format json`): one JSON object per line for each notice and finished step.
///
/// `quiet` drops progress and notices alike (warnings and errors are not notices: the CLI prints them).
public struct ProgressReporter: Sendable {
    public enum Style: String, Sendable { case terminal, plain, json }

    public let style: Style
    public let quiet: Bool
    let write: @Sendable (String) -> Void

    /// `write` receives finished text (with its line ends); the default writes to stderr.
    public init(style: Style, quiet: Bool = false,
                write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.style = style
        self.quiet = quiet
        self.write = write
    }

    /// `.terminal` when stderr is a terminal, else `.plain`; `.json` when asked.
    public static func style(json: Bool) -> Style {
        json ? .json : (isatty(STDERR_FILENO) == 1 ? .terminal : .plain)
    }

    /// A line of progress or a notice (`Platform.say`), redacted.
    public func say(_ line: String) {
        guard !quiet else { return }
        let text = Redactor.shared.redact(line)
        switch style {
        case .json: write(JSONLogLine.render(level: "notice", label: "ingestctl", message: text) + "\n")
        case .terminal: write("\r\u{1B}[2K" + text + "\n")
        case .plain: write(text + "\n")
        }
    }

    public func report(_ progress: RunProgress) {
        guard !quiet else { return }
        switch progress {
        case .extracting(let artifacts, let bytes, let seconds):
            // Only a terminal gets the live counter: a log would fill with one line per page.
            guard style == .terminal else { return }
            write("\r\u{1B}[2K" + Self.extracting(artifacts: artifacts, bytes: bytes, seconds: seconds))
        case .stepFinished(let step, let counts):
            guard step.status != .skipped else { return }
            let line = Self.finished(step, counts: counts)
            switch style {
            case .json:
                var fields: [String: any Sendable] = ["event": "step_finished", "step": step.name.rawValue, "status": step.status.rawValue,
                                                      "seconds": step.seconds]
                if step.name == .extract { fields["artifacts"] = counts.artifacts; fields["bytes"] = counts.bytes }
                if step.name == .load {
                    fields["rows_parsed"] = counts.parsed
                    fields["rows_inserted"] = counts.inserted
                    fields["rows_updated"] = counts.updated
                    fields["rows_unchanged"] = counts.unchanged
                }
                write(JSONLogLine.render(level: step.status == "failed" ? "error" : "info", label: "ingestctl",
                                         message: line, fields: fields) + "\n")
            case .terminal: write("\r\u{1B}[2K" + line + "\n")
            case .plain: write(line + "\n")
            }
        }
    }

    static func rate(_ count: Int, _ seconds: Double) -> String {
        seconds > 0 ? String(format: "%.0f", Double(count) / seconds) : "-"
    }

    static func extracting(artifacts: Int, bytes: Int, seconds: Double) -> String {
        "extract: \(artifacts) page\(artifacts == 1 ? "" : "s"), \(ByteCountFormatter.string(fromByteCount: Int64(bytes), countStyle: .file)), "
            + String(format: "%.1f pages/s", seconds > 0 ? Double(artifacts) / seconds : 0)
    }

    static func finished(_ step: RunReport.Step, counts: RunReport.Counts) -> String {
        let time = String(format: "%.2f s", step.seconds)
        switch step.name {
        case .extract:
            return "extract \(step.status): \(counts.artifacts) pages (\(counts.bytes) bytes) in \(time)"
        case .load:
            return "load \(step.status): \(counts.parsed) rows parsed (\(counts.inserted) inserted, \(counts.updated) updated, "
                + "\(counts.unchanged) unchanged) in \(time), \(rate(counts.parsed, step.seconds)) rows/s"
        default:
            return "\(step.name) \(step.status) in \(time)"
        }
    }
}
