import Foundation
import IngestCommon

/// Bronze in a local folder (the embedded default), e.g. `.ingest/lakehouse/`.
///
/// An object is written to a temporary file, flushed, and renamed into place,
/// so a crash leaves either the whole object or none of it; its metadata sits
/// beside it in `<key>.meta.json`, written the same way and after the object
/// (an object whose metadata cannot be written is removed again, so neither is
/// ever there without the other). A write that fails names the path, the size
/// and the system's reason in words (`no space left on device`, `file too large`,
/// `permission denied`, `read-only file system`, …) with a fix (`LocalWriteFailure`).
public struct LocalObjectStore: ObjectStore {
    public let root: URL
    static let metadataSuffix = ".meta.json"

    public init(root: String) {
        self.root = URL(fileURLWithPath: root, isDirectory: true)
    }

    public var location: String { "folder \(root.path)" }

    /// Creates the folder and writes a probe file into it; fails naming the folder and the reason in words.
    public func prepare() async throws {
        let probe = root.appendingPathComponent(".write-probe-\(UUID().uuidString)")
        do {
            try Self.atomicWrite(Data(), to: probe)
            unlink(probe.path)
        } catch let error as IngestError {
            throw IngestError("bronze folder \(root.path) is not writable: \(error.message)",
                              fix: error.fix ?? "set INGEST_HOME to a writable folder, or LAKEHOUSE_URL to an object store")
        }
    }

    func url(for key: String) throws -> URL {
        guard !key.isEmpty, !key.hasPrefix("/"), !key.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else {
            throw IngestError("bronze key \"\(key)\" is not a relative path", fix: "use keys like bronze/<source>/…")
        }
        return root.appendingPathComponent(key)
    }

    public func put(key: String, bytes: Data, contentType: String, metadata: [String: String]) async throws {
        let target = try url(for: key)
        var meta = metadata
        meta["content-type"] = contentType
        let metaBytes = try JSONSerialization.data(withJSONObject: meta, options: [.sortedKeys, .prettyPrinted])
        try Self.atomicWrite(bytes, to: target)
        do {
            try Self.atomicWrite(metaBytes, to: URL(fileURLWithPath: target.path + Self.metadataSuffix))
        } catch {
            unlink(target.path)
            throw error
        }
    }

    /// Writes to a temporary file in the same folder, syncs it, then renames it over the target;
    /// a failure leaves nothing behind and throws a `LocalWriteFailure`'s error.
    static func atomicWrite(_ data: Data, to target: URL) throws {
        let folder = target.deletingLastPathComponent()
        let made = makeFolders(folder.path)
        if made != 0 { throw LocalWriteFailure(path: folder.path, size: data.count, errno: made, step: "create the folder").error }
        let temporary = folder.appendingPathComponent(".tmp-\(UUID().uuidString)-\(target.lastPathComponent)").path
        func fail(_ step: String, _ code: Int32) -> IngestError {
            unlink(temporary)
            return LocalWriteFailure(path: target.path, size: data.count, errno: code, step: step).error
        }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw fail("create the file", errno) }
        var written = 0
        let code: Int32 = data.withUnsafeBytes { buffer in
            while written < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                written += count
            }
            return fsync(descriptor) == 0 ? 0 : errno
        }
        let closed = close(descriptor) == 0 ? 0 : errno
        if code != 0 { throw fail("write the file", code) }
        if closed != 0 { throw fail("write the file", closed) }
        if rename(temporary, target.path) != 0 { throw fail("move the file into place", errno) }
    }

    /// `mkdir -p`: 0, or the system's error code for the first folder that could not be made.
    static func makeFolders(_ path: String) -> Int32 {
        var current = ""
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0, errno != EEXIST { return errno }
        }
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue ? 0 : ENOTDIR
    }

    public func get(key: String) async throws -> Data {
        let target = try url(for: key)
        guard let data = FileManager.default.contents(atPath: target.path) else {
            throw IngestError("bronze object \(key) does not exist in \(root.path)", fix: "check the run id and INGEST_HOME")
        }
        return data
    }

    public func head(key: String) async throws -> [String: String]? {
        let target = try url(for: key)
        guard FileManager.default.fileExists(atPath: target.path),
              let data = FileManager.default.contents(atPath: target.path + Self.metadataSuffix) else { return nil }
        return try JSONSerialization.jsonObject(with: data) as? [String: String]
    }

    public func delete(key: String) async throws {
        let target = try url(for: key)
        for path in [target.path, target.path + Self.metadataSuffix] where FileManager.default.fileExists(atPath: path) {
            try FileManager.default.removeItem(atPath: path)
        }
        // Folders left empty go too (a pruned `ingest_date=` partition is not listed again); `rmdir` keeps any that is not.
        var folder = target.deletingLastPathComponent().standardizedFileURL
        let rootPath = root.standardizedFileURL.path
        while folder.path.hasPrefix(rootPath + "/"), rmdir(folder.path) == 0 { folder = folder.deletingLastPathComponent() }
    }

    public func listFolders(prefix: String) async throws -> [String] {
        let folder = try url(for: prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { name in
            var isFolder: ObjCBool = false
            return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path, isDirectory: &isFolder)
                && isFolder.boolValue
        }.map { (prefix.hasSuffix("/") ? prefix : prefix + "/") + $0 + "/" }.sorted()
    }

    public func list(prefix: String) async throws -> [String] {
        // Walk from the deepest folder the prefix names, then filter by the full prefix.
        let folderPart = prefix.contains("/") ? String(prefix[..<prefix.lastIndex(of: "/")!]) : ""
        let start = folderPart.isEmpty ? root : root.appendingPathComponent(folderPart)
        guard let walker = FileManager.default.enumerator(at: start, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return []
        }
        var keys: [String] = []
        let rootPath = root.standardizedFileURL.path
        for case let file as URL in walker {
            let name = file.lastPathComponent
            if name.hasPrefix(".tmp-") || name.hasSuffix(Self.metadataSuffix) { continue }
            guard (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            var key = file.standardizedFileURL.path
            guard key.hasPrefix(rootPath) else { continue }
            key.removeFirst(rootPath.count)
            if key.hasPrefix("/") { key.removeFirst() }
            if key.hasPrefix(prefix) { keys.append(key) }
        }
        return keys.sorted()
    }
}
