import Foundation
import IngestKit

/// The `Fixtures/` folder beside a test file: sample responses `ingestctl new` wrote and runs
/// `ingestctl record` copied out of bronze (`Fixtures/<dataset>/<run_id>/recording.json` and its artifacts).
///
/// ```swift
/// let sample = try Fixtures().data("permits.json")          // Tests/Fixtures/permits.json
/// let recording = try Fixtures().recording("permits")       // the newest recorded run of permits
/// ```
public struct Fixtures: Sendable {
    /// The folder's absolute path.
    public let folder: String

    /// The `Fixtures/` folder beside `testFile` (leave it out: the calling test file's).
    public init(_ testFile: String = #filePath) {
        folder = ((testFile as NSString).deletingLastPathComponent as NSString).appendingPathComponent("Fixtures")
    }

    /// A folder of your choice.
    public init(folder: String) {
        self.folder = folder
    }

    /// The path of `name` in the folder.
    public func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    /// The bytes of the file `name` (e.g. `permits.json`).
    /// - Throws: an `IngestError` naming the missing file.
    public func data(_ name: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path(name)) else {
            throw IngestError("the fixture \(path(name)) does not exist", fix: "put the file there, or check its name")
        }
        return data
    }

    /// Every recorded run of `dataset` (`Fixtures/<dataset>/<run_id>/`), oldest first (by ingest date, then run id).
    /// - Throws: an `IngestError` when a recording is unreadable.
    public func recordings(_ dataset: String) throws -> [RunRecording] {
        let base = path(dataset)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        return try names.sorted()
            .filter { FileManager.default.fileExists(atPath: (base as NSString).appendingPathComponent("\($0)/\(RunRecording.fileName)")) }
            .map { try RunRecording.read(folder: (base as NSString).appendingPathComponent($0)) }
            .sorted { ($0.ingestDate, $0.runId) < ($1.ingestDate, $1.runId) }
    }

    /// The recorded run `runId` of `dataset`, or the newest one.
    /// - Throws: an `IngestError` naming the folder and the command to record one, when there is none.
    public func recording(_ dataset: String, runId: String? = nil) throws -> RunRecording {
        let all = try recordings(dataset)
        guard let found = runId.map({ id in all.first { $0.runId == id } }) ?? all.last else {
            throw IngestError("\(path(dataset)) holds no recorded run\(runId.map { " \($0)" } ?? "") of \(dataset)",
                              fix: "record one in the repository: `swift run ingestctl record <source>.\(dataset)\(runId.map { " --run \($0)" } ?? "")`")
        }
        return found
    }
}
