import Foundation
import IngestKit

/// The built `ingestctl` binary, run as a user runs it: a separate process in its own folder.
public enum Ingestctl {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `.build/debug/ingestctl`; scripts/test.sh builds it before the tests.
    public static func binary() throws -> String {
        let binary = packageRoot.appendingPathComponent(".build/debug/ingestctl").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw IngestError("\(binary) is missing", fix: "run the tests with scripts/test.sh (it builds ingestctl first)")
        }
        return binary
    }

    /// A configured, not yet started process: only PATH (and HOME) from the test's environment, plus `environment`.
    public static func process(_ arguments: [String], environment: [String: String], in directory: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binary())
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                   "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/root"]
        env.merge(environment) { _, new in new }
        process.environment = env
        return process
    }

    /// Runs to completion and returns the exit status and output.
    public static func run(_ arguments: [String], environment: [String: String], in directory: String) async throws -> Result {
        try await run(try process(arguments, environment: environment, in: directory))
    }

    /// Runs a configured process to completion and returns its exit status and output.
    ///
    /// Both pipes are drained at once, each on a thread of its own (a child that fills one pipe's 64 KiB while
    /// the other is read would block), and the exit is awaited: no thread of the cooperative pool waits on the child.
    public static func run(_ process: Process) async throws -> Result {
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdout = Drained(), stderr = Drained()
        let done = DispatchGroup()
        done.enter()
        process.terminationHandler = { _ in done.leave() }
        try process.run()
        for (pipe, drained) in [(out, stdout), (err, stderr)] {
            DispatchQueue.global().async(group: done) { drained.data = pipe.fileHandleForReading.readDataToEndOfFile() }
        }
        await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
            done.notify(queue: .global()) { finished.resume() }
        }
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout.data, as: UTF8.self),
                      stderr: String(decoding: stderr.data, as: UTF8.self))
    }

    /// One pipe's bytes: written by the thread that drains it, read after the group it runs in has finished.
    private final class Drained: @unchecked Sendable {
        var data = Data()
    }

    /// A new empty folder to run in.
    public static func workingDirectory(_ prefix: String = "ingestctl") throws -> String {
        let folder = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// A loopback port that was free a moment ago (for a demo server's fixed port).
    public static func freePort() async throws -> Int {
        let server = try await LoopbackHTTPServer.start { _ in .json("{}") }
        await server.stop()
        return server.port
    }
}

extension Process {
    /// Starts the process and waits for it to exit without blocking a thread; its exit status.
    public func runToExit() async throws -> Int32 {
        try await withCheckedThrowingContinuation { continuation in
            terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
            do {
                try run()
            } catch {
                terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
    }
}
