import Foundation
import IngestKit

/// HTTP content codings a test server can send.
public enum ContentCoding: String, CaseIterable, CustomStringConvertible, Sendable {
    case gzip, deflate
    public var description: String { rawValue }

    /// The bytes compressed by Python's gzip / zlib modules (a peer implementation, not ours; python3 is on every
    /// machine scripts/test.sh runs on).
    public func compress(_ data: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import sys, gzip, zlib
            data = sys.stdin.buffer.read()
            sys.stdout.buffer.write(gzip.compress(data) if sys.argv[1] == "gzip" else zlib.compress(data))
            """, rawValue]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(data)
        try input.fileHandleForWriting.close()
        let compressed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, !compressed.isEmpty else { throw IngestError("python3 could not \(rawValue) a test body") }
        return compressed
    }
}
