import Foundation

/// Notices source folders this build of `ingestctl` does not know.
///
/// Package.swift lists the folders in Sources/Sources/ when SwiftPM evaluates it, but SwiftPM caches
/// that evaluation keyed on Package.swift's text, so in an existing checkout a folder added since the
/// last evaluation is not built until the cache is dropped. Run in the repository, `ingestctl list`
/// names such folders and the command that registers them.
enum SourceFolders {
    /// Folders in `<directory>/Sources/Sources/` that are not registered; empty outside the repository.
    static func unregistered(in directory: String = FileManager.default.currentDirectoryPath) -> [String] {
        let folder = (directory as NSString).appendingPathComponent("Sources/Sources")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { name in
            var isFolder: ObjCBool = false
            return !name.hasPrefix(".") && !registeredSourceFolders.contains(name)
                && FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(name), isDirectory: &isFolder) && isFolder.boolValue
        }.sorted()
    }

    static let fix = "swift package purge-cache && touch Package.swift && swift build (SwiftPM cached Package.swift's list of source folders)"
}
