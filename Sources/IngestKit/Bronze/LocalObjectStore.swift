import Foundation
import IngestCommon

/// Bronze in a local folder (the embedded default), e.g. `.ingest/lakehouse/`.
///
/// An object is written to a temporary file, flushed, and renamed into place,
/// so a crash leaves either the whole object or none of it; its metadata sits
/// beside it in `<key>.meta.json`, written the same way and before the object.
public struct LocalObjectStore: ObjectStore {
    public let root: URL
    static let metadataSuffix = ".meta.json"

    public init(root: String) {
        self.root = URL(fileURLWithPath: root, isDirectory: true)
    }

    public var location: String { "folder \(root.path)" }

    public func prepare() async throws {
        do {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            let probe = root.appendingPathComponent(".write-probe-\(UUID().uuidString)")
            try Data().write(to: probe)
            try FileManager.default.removeItem(at: probe)
        } catch {
            throw IngestError("bronze folder \(root.path) is not writable: \(error.localizedDescription)",
                              fix: "set INGEST_HOME to a writable folder, or LAKEHOUSE_URL to an object store")
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
        try Self.atomicWrite(metaBytes, to: URL(fileURLWithPath: target.path + Self.metadataSuffix))
        try Self.atomicWrite(bytes, to: target)
    }

    /// Writes to a temporary file in the same folder, syncs it, then renames it over the target.
    static func atomicWrite(_ data: Data, to target: URL) throws {
        let folder = target.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let temporary = folder.appendingPathComponent(".tmp-\(UUID().uuidString)-\(target.lastPathComponent)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw IngestError("cannot write bronze file \(temporary.path)", fix: "check the folder's permissions and free space")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            if rename(temporary.path, target.path) != 0 {
                throw IngestError("cannot move bronze file into place at \(target.path) (errno \(errno))", fix: "check the folder's permissions")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
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
