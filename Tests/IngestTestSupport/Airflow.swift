import Foundation
import IngestKit

/// The real Apache Airflow that scripts/test.sh installs into a virtual environment under
/// `.build/` (`INGEST_TEST_AIRFLOW`), with a fresh `AIRFLOW_HOME` per use: SQLite as its
/// metadata database, no examples, the DAGs folder inside the home.
public struct Airflow: Sendable {
    public let venv: String
    public let home: String
    public var dagsFolder: String { home + "/dags" }

    /// Makes a fresh home and migrates its metadata database.
    public static func make() async throws -> Airflow {
        guard let venv = ProcessInfo.processInfo.environment["INGEST_TEST_AIRFLOW"], !venv.isEmpty else {
            throw IngestError("INGEST_TEST_AIRFLOW is not set", fix: "run the tests with scripts/test.sh, which installs apache-airflow into .build/")
        }
        let home = NSTemporaryDirectory() + "airflow-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: home + "/dags", withIntermediateDirectories: true)
        let airflow = Airflow(venv: venv, home: home)
        let migrate = try await airflow.run(["db", "migrate"])
        guard migrate.status == 0 else {
            throw IngestError("airflow db migrate failed: \(migrate.output.suffix(2_000))", fix: "see the output above")
        }
        return airflow
    }

    /// Airflow's own settings, plus `environment` (the worker's: what `ingestctl` tasks read).
    public func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                   "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/root",
                   "AIRFLOW_HOME": home, "AIRFLOW__CORE__DAGS_FOLDER": dagsFolder,
                   "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO"]
        env.merge(extra) { _, new in new }
        return env
    }

    /// `airflow <arguments>`, waited for without blocking a thread.
    public func run(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> ChildProcess.Result {
        try await ChildProcess.run(venv + "/bin/airflow", arguments, environment: environment(extra), in: home)
    }

    /// A Python script run by the environment's interpreter.
    public func python(_ script: String, environment extra: [String: String] = [:]) async throws -> ChildProcess.Result {
        let path = home + "/script-\(UUID().uuidString.prefix(8)).py"
        try Data(script.utf8).write(to: URL(fileURLWithPath: path))
        return try await ChildProcess.run(venv + "/bin/python", [path], environment: environment(extra), in: home)
    }
}

/// A child process whose output goes to a file and whose end is awaited, not blocked on:
/// the test's own servers keep answering while it runs.
public enum ChildProcess {
    public struct Result: Sendable {
        public var status: Int32
        /// stdout and stderr together.
        public var output: String
    }

    public static func run(_ executable: String, _ arguments: [String], environment: [String: String], in directory: String) async throws -> Result {
        let log = directory + "/process-\(UUID().uuidString.prefix(8)).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = handle
        process.standardError = handle
        let status = try await process.runToExit()
        try? handle.close()
        return Result(status: status, output: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }
}
