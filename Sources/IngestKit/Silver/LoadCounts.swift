import IngestCommon

/// Counts of one load.
public struct LoadCounts: Sendable, Codable, Hashable {
    public var parsed = 0
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    /// Rows whose key appeared again later in the same run (the last one wins).
    public var duplicates = 0
    /// Rows stored with NUL characters removed (`NULCharacterPolicy.strip`); they are also counted above.
    public var sanitized = 0

    public init() {}
}
