import Foundation
import IngestCommon

/// The outcome of one `models` invocation, written as JSON like dbt's `run_results.json`.
public struct ModelResults: Sendable, Codable {
    public struct Node: Sendable, Codable {
        public enum Kind: String, Sendable, Codable { case model, test }
        /// How a model or test ended (dbt's words).
        public enum Status: String, NamedStatus, CaseIterable {
            case success
            /// The model's SQL or the test's query failed.
            case error
            /// Not built: a model it depends on did not build.
            case skipped
            /// A test of severity warn found rows.
            case warn
            /// A test of severity error found rows.
            case fail
        }
        public var status: Status
        public var name: String
        public var kind: Kind
        /// The model a test belongs to.
        public var model: String?
        public var seconds: Double
        public var rowsAffected: Int?
        public var failures: Int?
        public var message: String?
        public var samples: [[String: String?]]?

        enum CodingKeys: String, CodingKey {
            case status, name, kind, model, seconds, failures, message, samples
            case rowsAffected = "rows_affected"
        }
    }

    public struct Summary: Sendable, Codable, Hashable {
        public var built = 0
        public var failed = 0
        public var skipped = 0
        public var testsPassed = 0
        public var testsFailed = 0
        public var testsWarned = 0

        enum CodingKeys: String, CodingKey {
            case built, failed, skipped
            case testsPassed = "tests_passed"
            case testsFailed = "tests_failed"
            case testsWarned = "tests_warned"
        }
    }

    public var invocationId: String
    public var command: String
    public var selection: String?
    public var dialect: String
    /// When the invocation started (UTC), written `YYYY-MM-DD HH:MM:SS[.ffffff]`.
    public var startedAt: LocalTimestamp
    public var elapsedSeconds: Double
    /// Whether the build's models were published (write-audit-publish).
    public var published: Bool
    /// Why nothing was published, when a build's audit failed.
    public var message: String?
    public var results: [Node]

    /// The version of `run_results.json`'s shape; it grows when a key changes meaning or goes.
    public static let schemaVersion = 1

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case command, selection, dialect, published, message, results, summary
        case invocationId = "invocation_id"
        case startedAt = "started_at"
        case elapsedSeconds = "elapsed_seconds"
    }

    public var summary: Summary {
        var summary = Summary()
        for node in results {
            switch (node.kind, node.status) {
            case (.model, .success): summary.built += 1
            case (.model, .skipped): summary.skipped += 1
            case (.model, _): summary.failed += 1
            case (.test, .success): summary.testsPassed += 1
            case (.test, .warn): summary.testsWarned += 1
            case (.test, .skipped): break
            case (.test, _): summary.testsFailed += 1
            }
        }
        return summary
    }

    /// True when no model failed and no error-severity test failed.
    public var succeeded: Bool {
        let s = summary
        return s.failed == 0 && s.testsFailed == 0 && s.skipped == 0
    }

    /// Whether the invocation did all it was asked: `succeeded`, and for `build` also `published`.
    /// `ingestctl models run|test|build` exits 0 only then.
    public var completed: Bool {
        command == ModelRunner.Command.build.rawValue ? succeeded && published : succeeded
    }

    public init(invocationId: String, command: String, selection: String?, dialect: String, startedAt: LocalTimestamp) {
        self.invocationId = invocationId
        self.command = command
        self.selection = selection
        self.dialect = dialect
        self.startedAt = startedAt
        self.elapsedSeconds = 0
        self.published = false
        self.results = []
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        invocationId = try c.decode(String.self, forKey: .invocationId)
        command = try c.decode(String.self, forKey: .command)
        selection = try c.decodeIfPresent(String.self, forKey: .selection)
        dialect = try c.decode(String.self, forKey: .dialect)
        startedAt = try c.decode(LocalTimestamp.self, forKey: .startedAt)
        elapsedSeconds = try c.decode(Double.self, forKey: .elapsedSeconds)
        published = try c.decode(Bool.self, forKey: .published)
        message = try c.decodeIfPresent(String.self, forKey: .message)
        results = try c.decode([Node].self, forKey: .results)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.schemaVersion, forKey: .schemaVersion)
        try c.encode(invocationId, forKey: .invocationId)
        try c.encode(command, forKey: .command)
        try c.encode(selection, forKey: .selection)
        try c.encode(dialect, forKey: .dialect)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(elapsedSeconds, forKey: .elapsedSeconds)
        try c.encode(published, forKey: .published)
        try c.encode(message, forKey: .message)
        try c.encode(summary, forKey: .summary)
        try c.encode(results, forKey: .results)
    }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// A few lines for the terminal.
    public var text: String {
        var lines: [String] = []
        for node in results {
            var line = "  \(node.status.rawValue.uppercased().padding(toLength: 7, withPad: " ", startingAt: 0)) \(node.kind.rawValue) \(node.name)"
            if let rows = node.rowsAffected { line += " (\(rows) rows)" }
            if let failures = node.failures, failures > 0 { line += " (\(failures) failing rows)" }
            line += String(format: " %.3fs", node.seconds)
            lines.append(line)
            if let message = node.message, node.status != .success { lines.append("          \(message)") }
            // Values are escaped (`\t`, `\0`, `\u{A0}`…): a status that is only a tab must show as one.
            for sample in node.samples ?? [] {
                lines.append("          e.g. " + sample.sorted { $0.key < $1.key }
                    .map { "\($0.key)=\($0.value.map(VisibleText.escaped) ?? "NULL")" }.joined(separator: ", "))
            }
        }
        let s = summary
        lines.append("models: \(s.built) built, \(s.failed) failed, \(s.skipped) skipped; tests: \(s.testsPassed) passed, \(s.testsFailed) failed, \(s.testsWarned) warned"
                     + (command == "build" ? (published ? "; published" : "; NOT published") : "")
                     + String(format: " (%.2fs)", elapsedSeconds))
        if let message { lines.append(message) }
        return lines.joined(separator: "\n")
    }
}
