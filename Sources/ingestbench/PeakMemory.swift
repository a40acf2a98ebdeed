import Foundation

/// The process's peak resident memory from /proc (Linux), resettable between variants.
enum PeakMemory {
    /// Resets VmHWM to the current RSS (writing 5 to clear_refs; Linux 4.0+), so each variant reports its own peak.
    static func reset() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    /// VmHWM in MB, or 0 where /proc is not available.
    static var megabytes: Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
            return kilobytes / 1024
        }
        return 0
    }
}
