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

extension LoadCounts {
    /// The counts of two loads together (a replay loads several runs in one run).
    public static func + (a: LoadCounts, b: LoadCounts) -> LoadCounts {
        var sum = LoadCounts()
        sum.parsed = a.parsed + b.parsed
        sum.inserted = a.inserted + b.inserted
        sum.updated = a.updated + b.updated
        sum.unchanged = a.unchanged + b.unchanged
        sum.duplicates = a.duplicates + b.duplicates
        sum.sanitized = a.sanitized + b.sanitized
        return sum
    }
}
