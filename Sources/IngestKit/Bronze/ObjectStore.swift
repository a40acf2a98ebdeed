import Foundation

/// Where bronze lives: an object store with keys, bytes and string metadata.
///
/// The local folder is the embedded default; an S3-compatible store is the
/// production one. Both promise the same thing: an object is either fully
/// there, with its metadata, or not there at all.
public protocol ObjectStore: Sendable {
    /// Where it is, for messages (never a secret).
    var location: String { get }
    /// Checks the store can be written (creates the folder or bucket if missing).
    func prepare() async throws
    /// Stores an object atomically with its metadata.
    func put(key: String, bytes: Data, contentType: String, metadata: [String: String]) async throws
    func get(key: String) async throws -> Data
    /// The object's metadata, or `nil` when there is no such object.
    func head(key: String) async throws -> [String: String]?
    /// Keys under a prefix, in lexical order.
    func list(prefix: String) async throws -> [String]
    /// The folders one level below `prefix` (a prefix ending in `/`), each as a prefix ending in `/`, in
    /// lexical order: S3's common prefixes for the delimiter `/`. Reads that one level, not the keys below it.
    func listFolders(prefix: String) async throws -> [String]
    /// Removes an object and its metadata; removing a missing object is not an error.
    func delete(key: String) async throws
}
