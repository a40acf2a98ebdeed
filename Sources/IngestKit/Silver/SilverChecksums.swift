/// Whether a rerun compares its rows with silver's checksums before sending them.
///
/// A rerun looks up silver's checksum for each of its winners' keys, a batch a
/// statement (`StagedMerge.postgresMarkSeen`, `StagedMerge.sqliteUnchanged`),
/// and sends only rows whose key is new or whose checksum differs: nothing of
/// silver is held in the client's memory, whatever its size.
enum SilverChecksums {
    /// On by default. Off, a rerun sends every winner and the merge's checksum guard leaves the unchanged
    /// ones alone: the staged merge of every row, which tests compare with (same silver, same counts).
    @TaskLocal static var compared = true
}
