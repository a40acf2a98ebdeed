/// An error a user can act on: what went wrong, naming the thing, and the fix.
///
/// Every error the platform raises on purpose is one of these, so the CLI can
/// print it as one line without a stack trace.
public struct IngestError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public var fix: String?

    public init(_ message: String, fix: String? = nil) {
        self.message = message
        self.fix = fix
    }

    public var description: String {
        guard let fix else { return message }
        return "\(message) — fix: \(fix)"
    }
}

extension Error {
    /// The one-line text of an error, with every known secret removed.
    public var redactedDescription: String {
        let text: String
        if let ingest = self as? IngestError {
            text = ingest.description
        } else {
            text = String(describing: self)
        }
        return Redactor.shared.redact(text)
    }
}
