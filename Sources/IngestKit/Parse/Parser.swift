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
    /// The artifact item by item: a row, or an item the parser cannot map (an invalid date, a
    /// wrong type, a missing key) with the reason and its raw JSON. The load keeps rejected
    /// items in `<schema>.<table>__rejects` and loads the rest; throw only when the artifact
    /// cannot be read at all (not JSON), which fails the run naming the artifact.
    /// Default: every row of `parse(_:)`, without raw JSON.
    func parseItems(_ artifact: StoredArtifact) throws -> [ParsedItem<Row>]
}

extension Parser {
    public func parseItems(_ artifact: StoredArtifact) throws -> [ParsedItem<Row>] {
        try parse(artifact).map { .row($0, raw: nil) }
    }
}

/// One item of an artifact as a parser maps it.
public enum ParsedItem<Row: Sendable>: Sendable {
    /// A row; `raw` is the item's JSON, kept if the row is refused later (a value the warehouse cannot store).
    case row(Row, raw: String?)
    /// An item the parser cannot map: why (name the item and the value), and its JSON.
    case rejected(reason: String, raw: String?)

    /// The rows of `items`; throws `ParseError` for the first rejected one (for `parse(_:)`
    /// written on top of `parseItems(_:)`).
    public static func rows(_ items: [ParsedItem], artifactId: String) throws -> [Row] {
        try items.map {
            switch $0 {
            case .row(let row, _): return row
            case .rejected(let reason, _): throw ParseError(artifactId: artifactId, reason: reason)
            }
        }
    }
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
    /// to compare results or speed (the benchmark and the differential tests). Package access: not API
    /// for a source author.
    @TaskLocal package static var jsonDecoding: JSONDecoding = .ingest

    package enum JSONDecoding: Sendable { case ingest, foundation }
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

    static func describe(_ error: DecodingError) -> String { DecodingErrorText.describe(error) }
}
