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

    public init(label: String, level: Logger.Level) {
        inner = StreamLogHandler.standardError(label: label)
        inner.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let clean = merged.mapValues { Logger.MetadataValue.string(Redactor.shared.redact($0.description)) }
        var event = event
        event.message = "\(Redactor.shared.redact(event.message.description))"
        event.metadata = clean.isEmpty ? nil : clean
        inner.log(event: event)
    }
}
