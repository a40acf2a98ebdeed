import Foundation
import IngestKit
#if canImport(Glibc)
import Glibc
#endif

/// Helpers for the browser tests: the SDK's demo pages on loopback, and questions about processes.
public enum BrowserSupport {
    /// `pages` served on a free loopback port (`BrowserDemoPages`).
    public static func pages(_ pages: BrowserDemoPages = BrowserDemoPages(items: 60)) async throws -> LoopbackHTTPServer {
        try await pages.start(port: 0)
    }

    /// Whether any process of group `group` still exists (a zombie counts as gone).
    public static func groupIsAlive(_ group: Int32) -> Bool {
        guard group > 0 else { return false }
        if kill(-group, 0) == 0 {
            return processes().contains { $0.group == group && $0.state != "Z" }
        }
        return false
    }

    public struct ProcessInfoLine: Sendable {
        public var pid: Int32
        public var group: Int32
        public var state: String
        public var commandLine: String
    }

    /// Every process on the machine, from /proc.
    public static func processes() -> [ProcessInfoLine] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry in
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 3, let group = Int32(fields[2]) else { return nil }
            let raw = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") ?? Data()
            let commandLine = String(decoding: raw.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return ProcessInfoLine(pid: pid, group: group, state: String(fields[0]), commandLine: commandLine)
        }
    }

    /// Live (not zombie) processes whose command line mentions `marker`.
    public static func liveProcesses(mentioning marker: String) -> [ProcessInfoLine] {
        processes().filter { $0.state != "Z" && $0.commandLine.contains(marker) }
    }
}
