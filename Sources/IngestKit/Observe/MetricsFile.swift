import Foundation
import IngestCommon

/// Writes the Prometheus text for node_exporter's textfile collector atomically:
/// the text goes to a temporary file in the same folder, which is then renamed over
/// `path`, so a scrape reads the old file or the new one, never half of one.
public enum MetricsFile {
    /// Throws an ``IngestError`` naming the file when its folder is missing or not writable.
    public static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw IngestError("cannot write the metrics file \(path): the folder \(folder) does not exist",
                              fix: "create the folder or pass another --metrics-file")
        }
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            guard FileManager.default.createFile(atPath: temporary.path, contents: Data(text.utf8),
                                                 attributes: [.posixPermissions: 0o644]) else {
                throw IngestError("could not create \(temporary.path)")
            }
            if rename(temporary.path, url.path) != 0 {
                throw IngestError("rename to \(path) failed: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw IngestError("cannot write the metrics file \(path): \(error.redactedDescription)",
                              fix: "check that the folder is writable, or pass another --metrics-file")
        }
    }
}
