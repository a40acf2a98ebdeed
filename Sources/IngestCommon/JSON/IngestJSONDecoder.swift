import Foundation

/// Decodes `Decodable` types from JSON bytes, several times faster than Foundation's `JSONDecoder`.
///
/// Parsing sets the speed of a load, so the SDK reads JSON itself: one strict
/// pass builds a flat structural index of the bytes, then the types decode
/// straight from it (keys compared as bytes, strings copied once, decimals
/// read exactly from their digits). Results match `JSONDecoder` with its
/// default strategies; malformed input throws `DecodingError.dataCorrupted`
/// whose description and underlying `JSONSyntaxError` give the byte offset.
/// A lone surrogate escape reads as U+FFFD, with a notice to `RunNotes.current`.
public struct IngestJSONDecoder: Sendable {
    /// Passed to the types as `Decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try data.withUnsafeBytes { try decode(type, from: $0) }
    }

    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try bytes.withUnsafeBytes { try decode(type, from: $0) }
    }

    public func decode<T: Decodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) throws -> T {
        let scan: JSONScanner.Result
        do {
            scan = try JSONScanner.scan(bytes)
        } catch {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: [], debugDescription: "The given data was not valid JSON: \(error)", underlyingError: error))
        }
        JSONNotices.loneSurrogates(scan)
        let tape = scan.tape
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        return try tape.withUnsafeBufferPointer { tape in
            let decoder = JSONValueDecoder(base: base, count: bytes.count, tape: tape, userInfo: userInfo, current: 0, codingPath: [])
            return try decoder.decodeValue(type, at: 0, key: nil)
        }
    }
}
