import Foundation
import IngestKit

/// Runs a command to completion and returns its wall time in seconds; a failure stops the benchmark.
func timed(_ executable: String, _ arguments: [String], environment: [String: String] = [:], quiet: Bool = true) throws -> Double {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env.merge(environment) { _, new in new }
    process.environment = env
    let output = Pipe()
    if quiet {
        process.standardOutput = output
        process.standardError = output
    }
    let start = ContinuousClock.now
    try process.run()
    let data = quiet ? output.fileHandleForReading.readDataToEndOfFile() : Data()
    process.waitUntilExit()
    let elapsed = ContinuousClock.now - start
    guard process.terminationStatus == 0 else {
        throw IngestError("\(executable) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus): \(String(decoding: data.suffix(2000), as: UTF8.self))")
    }
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// The directory of this executable, where `swift build` also put `ingestctl`.
func siblingExecutable(_ name: String) -> String {
    let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    return me.deletingLastPathComponent().appendingPathComponent(name).path
}

/// The first `name` on PATH.
func onPath(_ name: String) throws -> String {
    for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let candidate = "\(folder)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    throw IngestError("\(name) is not on PATH", fix: "install it (Debian package postgresql-client for psql)")
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

func format(_ seconds: Double) -> String {
    seconds < 1 ? String(format: "%.0f ms", seconds * 1000) : String(format: "%.2f s", seconds)
}
