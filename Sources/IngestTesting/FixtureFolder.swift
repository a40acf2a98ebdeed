import Foundation
import IngestKit

/// A folder served as an API by `RecordedAPI.start(folder:)` and `ingestctl fixtures serve <folder>`.
///
/// The folder is one of:
/// - a recorded run (`recording.json` and its artifacts, written by `ingestctl record`): served as recorded;
/// - a dataset's recordings (`Fixtures/<dataset>/`, a subfolder per run): the newest one (or `runId`'s);
/// - fixture files with a `routes.json`: a JSON array of `{"url": "/path?query", "file": "name",
///   "content_type": "…"}` (`content_type` optional: from the file's extension), answered as `RecordedAPI`
///   answers a recording (same path and query parameters; a URL listed twice is served in order);
/// - fixture files alone: each file at its path in the folder (`Fixtures/permits.json` → `GET /permits.json`),
///   whatever the query; `content_type` from the extension (`.json`, `.csv`, `.html`, `.xml`, `.txt`).
public enum FixtureFolder {
    /// The routes file's name.
    public static let routesFile = "routes.json"

    /// One line of `routes.json`.
    struct RouteLine: Decodable {
        var url: String
        var file: String
        var content_type: String?
    }

    /// The routes `folder` serves, and the origin to rewrite (a recording's), per the type's description.
    /// - Throws: an `IngestError` naming the folder, a missing file or a malformed `routes.json`, with the fix.
    public static func routes(_ folder: String, runId: String? = nil) throws -> (routes: [RecordedAPI.Route], origin: String?) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw IngestError("\(folder) is not a folder", fix: "give the folder of a recorded run (ingestctl record) or of fixture files")
        }
        let at = { (name: String) in (folder as NSString).appendingPathComponent(name) }
        if FileManager.default.fileExists(atPath: at(RunRecording.fileName)) {
            let recording = try RunRecording.read(folder: folder)
            return (try routes(of: recording), recording.origin)
        }
        let parent = (folder as NSString).deletingLastPathComponent
        let dataset = (folder as NSString).lastPathComponent
        let recordings = try Fixtures(folder: parent).recordings(dataset)
        if !recordings.isEmpty {
            let recording = try Fixtures(folder: parent).recording(dataset, runId: runId)
            return (try routes(of: recording), recording.origin)
        }
        if let runId {
            throw IngestError("\(folder) holds no recorded run \(runId)", fix: "leave out the run, or give the folder `ingestctl record` wrote")
        }
        if FileManager.default.fileExists(atPath: at(routesFile)) {
            let lines: [RouteLine]
            do {
                lines = try JSONDecoder().decode([RouteLine].self, from: Data(contentsOf: URL(fileURLWithPath: at(routesFile))))
            } catch {
                throw IngestError("\(at(routesFile)) is not a JSON array of {\"url\": …, \"file\": …, \"content_type\": …} (\(error))",
                                  fix: "write one object per answer, e.g. [{\"url\": \"/v1/items?page=1\", \"file\": \"page1.json\"}]")
            }
            return (try lines.map { line in
                guard let body = FileManager.default.contents(atPath: at(line.file)) else {
                    throw IngestError("\(at(line.file)), named in \(routesFile) for \(line.url), does not exist", fix: "add the file or correct its name in \(routesFile)")
                }
                return RecordedAPI.Route(url: line.url, contentType: line.content_type ?? contentType(line.file), body: body)
            }, nil)
        }
        let files = (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).sorted().filter { path in
            var isFolder: ObjCBool = false
            return !(path as NSString).lastPathComponent.hasPrefix(".")
                && FileManager.default.fileExists(atPath: at(path), isDirectory: &isFolder) && !isFolder.boolValue
        }
        guard !files.isEmpty else {
            throw IngestError("\(folder) holds no file to serve", fix: "give the folder of a recorded run (ingestctl record) or of fixture files")
        }
        return (try files.map { path in
            guard let body = FileManager.default.contents(atPath: at(path)) else {
                throw IngestError("\(at(path)) cannot be read", fix: "check its permissions")
            }
            return RecordedAPI.Route(url: "/" + path, contentType: contentType(path), body: body, anyQuery: true)
        }, nil)
    }

    static func routes(of recording: RunRecording) throws -> [RecordedAPI.Route] {
        try recording.artifacts.map { artifact in
            RecordedAPI.Route(url: artifact.url, contentType: artifact.contentType, body: try recording.bytes(of: artifact))
        }
    }

    /// The content type of a fixture file, by its extension.
    static func contentType(_ path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "json": return "application/json"
        case "csv": return "text/csv"
        case "html", "htm": return "text/html; charset=utf-8"
        case "xml": return "application/xml"
        case "txt": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }
}

extension RecordedAPI {
    /// Serves a folder of recorded artifacts or fixture files (see `FixtureFolder`) on 127.0.0.1.
    /// - Parameters:
    ///   - runId: which run of a folder of recordings (default: the newest).
    ///   - port: 0 (any free port) or a port of your choice.
    ///   - requiredHeaders: headers every request must carry (else 401), e.g. `[("X-App-Token", token)]`.
    /// - Throws: an `IngestError` naming what in the folder cannot be served; a bind error when `port` is taken.
    public static func start(folder: String, runId: String? = nil, port: Int = 0,
                             requiredHeaders: [(name: String, value: String)] = []) async throws -> RecordedAPI {
        let (routes, origin) = try FixtureFolder.routes(folder, runId: runId)
        return try await start(routes, origin: origin, port: port, requiredHeaders: requiredHeaders)
    }
}
