import ArgumentParser
import Foundation
import IngestKit

/// `ingestctl record <source.dataset>`: a run's artifacts copied from bronze into the source's test fixtures,
/// secrets removed (IngestKit's `Platform.record`); IngestTesting's `RecordedAPI` serves them back.
struct RecordCommand: IngestCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Copy a run's artifacts from bronze into the source's test fixtures, secrets removed.",
        discussion: """
            Run in the repository. Writes Sources/Sources/<Name>/Tests/Fixtures/<dataset>/<run_id>/: recording.json \
            (each artifact's file, URL, content type, and the run's counts) and the artifacts as bronze named them \
            (page_00001.json, …), from bronze on the local folder or S3. Secrets are removed: the values of the \
            source's secret variables (as set now), secret-looking query parameters and JSON fields become ***. \
            A test serves the recording with IngestTesting's RecordedAPI (Docs/AddingASource.md §8). \
            A recording of the same run is replaced.
            """)

    @Argument(help: "The dataset, as source.dataset (e.g. acme_portal.orders).")
    var dataset: String

    @Option(name: .customLong("run"), help: "The run to record (default: the latest successful run).")
    var runId: String?

    @Option(help: "Write into this folder instead of Sources/Sources/<Name>/Tests/Fixtures/<dataset>/<run_id>/.")
    var into: String?

    func execute() async throws {
        let found = try registeredSources.dataset(dataset)
        let platform = try Platform.commandLine()
        let folder: String
        if let into {
            folder = into
        } else {
            let root = FileManager.default.currentDirectoryPath
            let sourceFolder = "Sources/Sources/\(ScaffoldNames.typeName(found.source))"
            guard FileManager.default.fileExists(atPath: "\(root)/\(sourceFolder)") else {
                throw IngestError("\(root)/\(sourceFolder) does not exist: record runs in the repository holding the source",
                                  fix: "run ingestctl record in the repository's root folder, or give --into FOLDER")
            }
            // The run id is known only once the ledger is read: write to a folder named after it.
            let pending = "\(root)/\(sourceFolder)/Tests/Fixtures/\(found.name)/.recording"
            let recording = try await platform.record(dataset, in: registeredSources, runId: runId, into: pending)
            let final = "\(root)/\(sourceFolder)/Tests/Fixtures/\(found.name)/\(recording.runId)"
            if FileManager.default.fileExists(atPath: final) { try FileManager.default.removeItem(atPath: final) }
            try FileManager.default.moveItem(atPath: pending, toPath: final)
            report(recording, folder: "\(sourceFolder)/Tests/Fixtures/\(found.name)/\(recording.runId)")
            return
        }
        report(try await platform.record(dataset, in: registeredSources, runId: runId, into: folder), folder: folder)
    }

    func report(_ recording: RunRecording, folder: String) {
        print("recorded run \(recording.runId) of \(recording.qualifiedName) in \(folder)/")
        for artifact in recording.artifacts { print("  \(artifact.file)  \(artifact.size) bytes  \(artifact.url)") }
        print("\(recording.artifacts.count) artifact(s), \(recording.expected.parsed) row(s) parsed in the run; \(recording.redactions) secret value(s) replaced by ***")
    }
}
