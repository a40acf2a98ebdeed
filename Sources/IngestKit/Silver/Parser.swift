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
    /// `jsonDecoding` says so); errors name the artifact, the place in it and, for malformed
    /// JSON, the byte offset.
    public func decodeJSON<T: Decodable>(_ type: T.Type) throws -> T {
        switch Self.jsonDecoding {
        case .ingest:
            do {
                return try IngestJSONDecoder().decode(type, from: bytes)
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

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let text = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "at the top level" : "at \(text.hasPrefix(".") ? String(text.dropFirst()) : text)"
        }
        switch error {
        case .dataCorrupted(let context):
            let underlying = context.underlyingError.map { " (\($0))" } ?? ""
            return "\(context.debugDescription) \(path(context))\(underlying)"
        case .keyNotFound(let key, let context): return "missing key \"\(key.stringValue)\" \(path(context))"
        case .typeMismatch(let type, let context): return "expected \(type) \(path(context)): \(context.debugDescription)"
        case .valueNotFound(let type, let context): return "expected \(type) but found null \(path(context))"
        @unknown default: return String(describing: error)
        }
    }
}
