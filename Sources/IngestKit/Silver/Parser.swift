import Foundation
import IngestCommon

/// Turns one stored artifact into typed rows for a silver table.
///
/// Rows are Swift values of the table's `Row` type; the SDK fills the
/// checksum, the bronze object path and `ingested_at`, so a parser only maps
/// source fields to row fields.
public protocol Parser: Sendable {
    associatedtype Row: Sendable
    func parse(_ artifact: StoredArtifact) throws -> [Row]
}

/// An artifact as read back from bronze: its bytes and provenance.
public struct StoredArtifact: Sendable {
    public var bytes: Data
    public var provenance: Provenance

    public init(bytes: Data, provenance: Provenance) {
        self.bytes = bytes
        self.provenance = provenance
    }

    public var artifactId: String { provenance.artifactId }
    /// The source URL, secrets removed.
    public var url: String { provenance.url }
    public var bronzeKey: String { provenance.key }

    /// Decodes the bytes as JSON with the SDK's `IngestJSONDecoder` (or Foundation's when
    /// `jsonDecoding` says so); errors name the artifact, the JSON path and the expected type
    /// and, for malformed JSON, what is wrong and the byte offset. A lone surrogate escape
    /// reads as U+FFFD with a notice in the run report.
    public func decodeJSON<T: Decodable>(_ type: T.Type) throws -> T {
        switch Self.jsonDecoding {
        case .ingest:
            do {
                return try RunNotes.$subject.withValue("artifact \(artifactId)") { try IngestJSONDecoder().decode(type, from: bytes) }
            } catch let error as DecodingError {
                throw ParseError(artifactId: artifactId, reason: ParseError.describe(error))
            }
        case .foundation:
            return try decodeJSON(type, decoder: JSONDecoder())
        }
    }

    /// Decodes the bytes with a configured Foundation `JSONDecoder` (custom strategies).
    public func decodeJSON<T: Decodable>(_ type: T.Type, decoder: JSONDecoder) throws -> T {
        do {
            return try decoder.decode(type, from: bytes)
        } catch let error as DecodingError {
            throw ParseError(artifactId: artifactId, reason: ParseError.describe(error))
        }
    }

    /// Which decoder `decodeJSON(_:)` uses in this task: the SDK's by default; Foundation's
    /// to compare results or speed (the benchmark and the differential tests).
    @TaskLocal public static var jsonDecoding: JSONDecoding = .ingest

    public enum JSONDecoding: Sendable { case ingest, foundation }
}

/// A parser could not read an artifact. Bronze keeps the artifact; the run fails naming it.
public struct ParseError: Error, CustomStringConvertible, Sendable {
    public var artifactId: String
    public var reason: String

    public init(artifactId: String, reason: String) {
        self.artifactId = artifactId
        self.reason = reason
    }

    public var description: String { "artifact \(artifactId) could not be parsed: \(reason)" }

    /// A decoding error in the user's terms: the JSON path (`results[3].total`) and the expected
    /// JSON type, never Swift's container names.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let text = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "at the top level" : "at \(text.hasPrefix(".") ? String(text.dropFirst()) : text)"
        }
        switch error {
        case .dataCorrupted(let context):
            if let syntax = context.underlyingError as? JSONSyntaxError { return "the artifact is \(syntax.summary)" }
            let underlying = context.underlyingError.map { " (\($0))" } ?? ""
            return "\(context.debugDescription) \(path(context))\(underlying)"
        case .keyNotFound(let key, let context): return "missing key \"\(key.stringValue)\" \(path(context))"
        case .typeMismatch(let type, let context):
            return "expected \(jsonType(type)) \(path(context)) but found \(found(in: context.debugDescription) ?? "another type")"
        case .valueNotFound(let type, let context): return "expected \(jsonType(type)) \(path(context)) but found null"
        @unknown default: return String(describing: error)
        }
    }

    /// The JSON a Swift type decodes from, in a user's words.
    static func jsonType(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if name.hasPrefix("UnkeyedDecodingContainer") || name.hasPrefix("Array") || name.hasPrefix("[") || name.hasPrefix("Set<") {
            return "an array"
        }
        if name.hasPrefix("KeyedDecodingContainer") || name.hasPrefix("Dictionary") { return "an object" }
        switch name {
        case "String", "Substring", "Character", "URL", "UUID": return "a string"
        case "Bool": return "a boolean"
        case "Int", "Int8", "Int16", "Int32", "Int64", "UInt", "UInt8", "UInt16", "UInt32", "UInt64": return "an integer"
        case "Double", "Float", "Decimal", "CGFloat": return "a number"
        case "Date": return "a date"
        case "Data": return "a base64 string"
        default: return "a value for \(name)"
        }
    }

    /// The found kind in a decoder's mismatch text (`… but found a string instead.`), as JSON words.
    private static func found(in text: String) -> String? {
        guard let start = text.range(of: "found ")?.upperBound else { return nil }
        var kind = String(text[start...])
        if let end = kind.range(of: " instead") { kind = String(kind[..<end.lowerBound]) }
        switch kind {  // ours says "a string", Foundation's "string"
        case "a dictionary", "dictionary": return "an object"
        case "a bool", "bool": return "a boolean"
        case "a null value", "null value", "null": return "null"
        case "string", "number", "array": return (kind == "array" ? "an " : "a ") + kind
        default: return kind.isEmpty ? nil : kind
        }
    }
}
