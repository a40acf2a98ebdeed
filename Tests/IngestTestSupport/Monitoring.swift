import AsyncHTTPClient
import Foundation
import IngestKit

/// The monitoring peers scripts/test.sh starts on loopback (Debian's Pushgateway and Prometheus,
/// openlineage-python in a venv), and small helpers to read them.
public enum Monitoring {
    static func variable(_ name: String, _ what: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw IngestError("\(name) is not set", fix: "run the tests with scripts/test.sh, which starts \(what)")
        }
        return value
    }

    public static func pushgatewayURL() throws -> String { try variable("INGEST_TEST_PUSHGATEWAY_URL", "a Pushgateway on loopback") }
    public static func prometheusURL() throws -> String { try variable("INGEST_TEST_PROMETHEUS_URL", "a Prometheus server on loopback") }
    /// The folder of file_sd target files the test Prometheus scrapes.
    public static func prometheusTargets() throws -> String { try variable("INGEST_TEST_PROMETHEUS_TARGETS", "a Prometheus server on loopback") }
    /// The python of a venv with openlineage-python.
    public static func openLineagePython() throws -> String { try variable("INGEST_TEST_OPENLINEAGE_PYTHON", "openlineage-python in a venv") }

    /// GET `url`; the status and the body as text.
    public static func get(_ url: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    /// Retries `body` until it returns a value (not `nil`), for up to `seconds`: waits for a
    /// condition, never for a fixed time. Throws `what` naming the condition when it never holds.
    public static func waitFor<T: Sendable>(_ what: String, seconds: Double = 180, _ body: () async throws -> T?) async throws -> T {
        var lastError: (any Error)?
        let value = await eventualValue(.seconds(seconds), every: .milliseconds(250)) { () async -> T? in
            do {
                return try await body()
            } catch {
                lastError = error
                return nil
            }
        }
        if let value { return value }
        throw IngestError("gave up waiting \(Int(seconds)) s for \(what)" + (lastError.map { " (last error: \($0))" } ?? ""))
    }

    /// A sample of the Prometheus text format.
    public struct Sample: Sendable, Hashable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    /// Parses the Prometheus text format (comments skipped; label values without escaped quotes).
    public static func samples(_ text: String) -> [Sample] {
        var samples: [Sample] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            var labels: [String: String] = [:]
            var name = String(series)
            if let open = series.firstIndex(of: "{"), let close = series.lastIndex(of: "}") {
                name = String(series[..<open])
                for pair in series[series.index(after: open)..<close].split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    guard parts.count == 2 else { continue }
                    labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
                }
            }
            samples.append(Sample(name: name, labels: labels, value: value))
        }
        return samples
    }
}

extension Array where Element == Monitoring.Sample {
    /// The value of the one sample named `name` whose labels include `labels`; `nil` when there is none.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        first { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }?.value
    }
}
