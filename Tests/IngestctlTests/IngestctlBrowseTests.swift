import Foundation
import IngestKit
import IngestTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `ingestctl run talent_portal.vacatures` as a user runs it, and killed while it browses.
@Suite(.serialized) struct IngestctlBrowseTests {
    /// Starts ingestctl in `directory` with its own TMPDIR (so its chromium profile is findable); output goes to files.
    static func start(_ arguments: [String], environment: [String: String], in directory: String) throws -> Process {
        var env = environment
        env["TMPDIR"] = directory + "/tmp"
        let process = try Ingestctl.process(arguments, environment: env, in: directory)
        try FileManager.default.createDirectory(atPath: directory + "/tmp", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: directory + "/stdout.txt", contents: nil)
        FileManager.default.createFile(atPath: directory + "/stderr.txt", contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: directory + "/stdout.txt")
        process.standardError = FileHandle(forWritingAtPath: directory + "/stderr.txt")
        try process.run()
        return process
    }

    static func waitForExit(_ process: Process) async -> Bool {
        await eventually(.seconds(180)) { !process.isRunning }
    }

    @Test(arguments: WarehouseKind.allCases)
    func runBrowsesTheDemoPortal(_ kind: WarehouseKind) async throws {
        let folder = try Ingestctl.workingDirectory("ingestctl-browse")
        var env = ["TALENT_PORTAL_DEMO_ROWS": "60", "TALENT_PORTAL_DEMO_PORT": String(try await Ingestctl.freePort())]
        if kind == .postgres { env["WAREHOUSE_URL"] = try await TestPlatform.freshDatabase() }
        let process = try Self.start(["run", "talent_portal.vacatures"], environment: env, in: folder)
        #expect(await Self.waitForExit(process))
        let stdout = try String(contentsOfFile: folder + "/stdout.txt", encoding: .utf8)
        let stderr = try String(contentsOfFile: folder + "/stderr.txt", encoding: .utf8)
        #expect(process.terminationStatus == 0, "\(stdout)\n\(stderr)")
        #expect(stderr.contains("built-in demo portal"))
        #expect(stdout.contains("60 parsed, 60 inserted, 0 updated, 0 unchanged"), "\(stdout)")
        #expect(stdout.contains("gate: passed"))
        let files = FileManager.default.enumerator(atPath: folder + "/.ingest/lakehouse")?.compactMap { $0 as? String } ?? []
        #expect(files.filter { $0.hasSuffix("aura_page_00001.json") || $0.contains("aura_page_00001.") }.count >= 1, "\(files)")
        #expect(files.contains { $0.contains("dom_last_page") })
        #expect(BrowserSupport.liveProcesses(mentioning: folder).isEmpty, "no chromium left after the run")
    }

    /// Killing ingestctl while chromium browses leaves no process of that run: SIGKILL gives no
    /// Swift code a chance, so the browser's watchdog (in chromium's process group) ends the group.
    @Test(arguments: [SIGKILL, SIGTERM])
    func killingTheRunMidBrowseLeavesNoChromium(_ signal: Int32) async throws {
        let folder = try Ingestctl.workingDirectory("ingestctl-browse")
        // Slow Aura answers keep the run browsing long enough to be killed mid-way: 40 pages at 1.5 s,
        // a minute of browsing, so a busy machine (chromium's start, the process scan) cannot miss it.
        let env = ["TALENT_PORTAL_DEMO_ROWS": "1000", "TALENT_PORTAL_DEMO_DELAY_MS": "1500",
                   "TALENT_PORTAL_DEMO_PORT": String(try await Ingestctl.freePort())]
        let process = try Self.start(["run", "talent_portal.vacatures"], environment: env, in: folder)
        let marker = folder + "/tmp/ingestkit-chromium-"
        // Mid-browse: chromium runs and has opened its DevTools port.
        let browsing = await eventually(.seconds(180)) {
            let found = FileManager.default.enumerator(atPath: folder + "/tmp")?.contains { ($0 as? String)?.hasSuffix("DevToolsActivePort") == true } ?? false
            return found && !BrowserSupport.liveProcesses(mentioning: marker).isEmpty
        }
        #expect(browsing, "chromium started under \(folder)/tmp")
        let chromium = BrowserSupport.liveProcesses(mentioning: marker)
        #expect(chromium.contains { $0.commandLine.contains("--headless") })
        let groups = Set(chromium.map(\.group))
        #expect(chromium.contains { $0.commandLine.contains("watchdog") }, "the watchdog runs: \(chromium.map { "\($0.pid)/\($0.group) \($0.commandLine.prefix(60))" })")
        #expect(process.isRunning, "the run is still browsing")
        let pid = process.processIdentifier
        kill(pid, signal)
        // Ended: gone, or a zombie its parent (this test) has not reaped yet.
        let ended = await eventually(.seconds(60)) {
            !BrowserSupport.processes().contains { $0.pid == pid && $0.state != "Z" }
        }
        #expect(ended, "ingestctl ended on signal \(signal)")
        func leftBehind() -> [BrowserSupport.ProcessInfoLine] {
            BrowserSupport.processes().filter { $0.state != "Z" && ($0.commandLine.contains(marker) || groups.contains($0.group)) }
        }
        let gone = await eventually(.seconds(30)) { leftBehind().isEmpty }
        #expect(gone, "left behind: \(leftBehind().map { "\($0.pid) \($0.commandLine.prefix(120))" })")
    }
}
