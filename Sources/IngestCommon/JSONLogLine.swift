import Foundation

/// One JSON object per line for log shippers (`--log-format json`), as both `RedactingLogHandler`
/// and the CLI's progress write it:
/// `{"timestamp": "2026-11-30T19:45:00.123Z", "level": "info", "label": "ingestkit", "message": "…", …fields}`.
public enum JSONLogLine {
    /// Keys in `fields` never replace `timestamp`, `level`, `label` or `message`; strings are redacted.
    public static func render(level: String, label: String, message: String, fields: [String: any Sendable] = [:]) -> String {
        var object: [String: Any] = [:]
        for (key, value) in fields {
            object[key] = (value as? String).map { Redactor.shared.redact($0) } ?? value
        }
        object["timestamp"] = ISO8601DateFormatter.string(from: Date(), timeZone: .gmt,
                                                          formatOptions: [.withInternetDateTime, .withFractionalSeconds])
        object["level"] = level
        object["label"] = label
        object["message"] = Redactor.shared.redact(message)
        guard JSONSerialization.isValidJSONObject(object),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return #"{"level":"error","message":"unencodable log line"}"#
        }
        return String(decoding: data, as: UTF8.self)
    }
}
