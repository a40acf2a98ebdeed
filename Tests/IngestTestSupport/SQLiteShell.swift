import Foundation
import IngestKit

/// The `sqlite3` shell (Debian's `sqlite3`, installed by scripts/test.sh), run as a user runs it on the
/// embedded warehouse's file.
public enum SQLiteShell {
    /// Runs `command` (SQL or a dot-command) on `file` and returns its output; throws on a non-zero exit.
    public static func run(_ file: String, _ command: String) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", file, command]
        let result = try await Ingestctl.run(process)
        guard result.status == 0 else {
            throw IngestError("sqlite3 \(file) \"\(command)\" failed (\(result.status)): \(result.stderr)",
                              fix: "install the sqlite3 shell (scripts/test.sh does: apt-get install sqlite3)")
        }
        return result.stdout
    }
}
