import Foundation
import IngestKit
import IngestTestSupport
import Testing

extension ObserveTests {
    /// Issue 9 item 8: what `ingestctl run` writes on stderr: progress redrawn on a terminal,
    /// plain lines in a pipe, JSON lines for log shippers, nothing but errors with --quiet.
    @Suite struct ConsoleOutputTests {
        static func environment(rows: Int, token: String) async throws -> [String: String] {
            try await Ingestctl.acmeDemoEnvironment(rows: rows, ["ACME_PORTAL_API_TOKEN": token])
        }

        @Test func aPipeGetsPlainLinesPerStep() async throws {
            let folder = try Ingestctl.workingDirectory("console")
            let run = try await Ingestctl.run(["run", "acme_portal.orders"], environment: try await Self.environment(rows: 120, token: "tok-\(UUID())"), in: folder)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("extract succeeded: 2 pages ("), "\(run.stderr)")
            #expect(run.stderr.contains("load succeeded: 120 rows parsed (120 inserted, 0 updated, 0 unchanged) in "), "\(run.stderr)")
            #expect(run.stderr.contains(" rows/s\n"))
            #expect(!run.stderr.contains("\r") && !run.stderr.contains("\u{1B}"), "no terminal control characters in a pipe")
            #expect(!run.stderr.contains("pages/s"), "no live counter in a pipe")
            #expect(run.stdout.contains("120 parsed, 120 inserted"))
        }

        @Test func aTerminalGetsALiveCounter() async throws {
            let folder = try Ingestctl.workingDirectory("console")
            // `script` (util-linux) runs ingestctl on a pseudo-terminal and copies what it shows.
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            process.arguments = ["-qec", "'\(try Ingestctl.binary())' run acme_portal.orders", "/dev/null"]
            process.currentDirectoryURL = URL(fileURLWithPath: folder)
            var env = try await Self.environment(rows: 250, token: "tok-\(UUID())")
            env["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            env["TERM"] = "xterm"
            process.environment = env
            let out = Pipe()
            process.standardOutput = out
            process.standardError = out
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let shown = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(shown)")
            // Each stored page redraws the counter in place; the finished step then leaves its line.
            for pages in ["1 page,", "2 pages,", "3 pages,"] {
                #expect(shown.contains("\r\u{1B}[2Kextract: \(pages)"), "counter at \(pages): \(shown.debugDescription)")
            }
            #expect(shown.contains("pages/s"))
            #expect(shown.contains("\r\u{1B}[2Kextract succeeded: 3 pages"))
            #expect(shown.contains("load succeeded: 250 rows parsed"))
        }

        @Test func jsonLogFormatWritesOneObjectALine() async throws {
            let token = "tok-\(UUID())"
            let folder = try Ingestctl.workingDirectory("console")
            var env = try await Self.environment(rows: 120, token: token)
            env["INGEST_LOG_LEVEL"] = "trace"
            let run = try await Ingestctl.run(["run", "acme_portal.orders", "--log-format", "json"], environment: env, in: folder)
            #expect(run.status == 0, "\(run.stderr)")
            let lines = run.stderr.split(separator: "\n")
            #expect(lines.count > 5)
            var objects: [[String: Any]] = []
            for line in lines {
                let object = try #require(try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
                #expect(object["level"] is String && object["message"] is String && object["timestamp"] is String, "\(line)")
                objects.append(object)
            }
            let load = objects.first { $0["event"] as? String == "step_finished" && $0["step"] as? String == "load" }
            #expect(load?["rows_parsed"] as? Int == 120 && load?["rows_inserted"] as? Int == 120 && load?["status"] as? String == "succeeded")
            #expect(objects.contains { ($0["label"] as? String) != "ingestctl" }, "the library's own log records are JSON too")
            #expect(!run.stderr.contains(token))
        }

        @Test func quietPrintsOnlyErrors() async throws {
            let folder = try Ingestctl.workingDirectory("console")
            let env = try await Self.environment(rows: 60, token: "tok-\(UUID())")
            let run = try await Ingestctl.run(["run", "acme_portal.orders", "--quiet"], environment: env, in: folder)
            #expect(run.status == 0)
            #expect(run.stdout.isEmpty && run.stderr.isEmpty, "stdout: \(run.stdout) stderr: \(run.stderr)")

            let failed = try await Ingestctl.run(["run", "acme_portal.orders", "--quiet", "--steps", "load"], environment: env, in: folder)
            #expect(failed.status == 1)
            #expect(failed.stdout.isEmpty)
            let lines = failed.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains("error") && lines[0].contains("failed: the load step has no bronze to read"), "\(failed.stderr)")
        }
    }
}
