import IngestCommon

/// Header names whose values are credentials.
let secretHeaderWords = ["authorization", "cookie", "token", "key", "secret", "password", "signature", "credential"]

/// Headers as they may be logged: credential headers masked, known secrets removed from the rest.
public func redactedHeaders(_ headers: [(String, String)]) -> [(String, String)] {
    headers.map { name, value in
        let lower = name.lowercased()
        if secretHeaderWords.contains(where: { lower.contains($0) }) { return (name, Redactor.mask) }
        return (name, Redactor.shared.redact(value))
    }
}
