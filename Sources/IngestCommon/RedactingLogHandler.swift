import Foundation
import Logging

/// A log handler that passes every message and metadata value through the
/// `Redactor` before writing it, so secrets never reach a log line.
public struct RedactingLogHandler: LogHandler {
    private var inner: StreamLogHandler
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    /// `json`: one JSON object a line (see `JSONLogLine`) instead of swift-log's text line.
    private let json: Bool
    private let label: String

    public init(label: String, level: Logger.Level, json: Bool = false) {
        inner = StreamLogHandler.standardError(label: label)
        inner.logLevel = level
        self.json = json
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let clean = merged.mapValues { Logger.MetadataValue.string(Redactor.shared.redact($0.description)) }
        if json {
            let line = JSONLogLine.render(level: event.level.rawValue, label: label, message: event.message.description,
                                          fields: clean.mapValues { $0.description })
            FileHandle.standardError.write(Data((line + "\n").utf8))
            return
        }
        var event = event
        event.message = "\(Redactor.shared.redact(event.message.description))"
        event.metadata = clean.isEmpty ? nil : clean
        inner.log(event: event)
    }
}
