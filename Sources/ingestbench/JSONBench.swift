import AcmePortal
import ArgumentParser
import Foundation
import IngestKit

/// `ingestbench json`: parsing speed of acme-shaped pages on one core, Foundation's
/// `JSONDecoder` against the SDK's `IngestJSONDecoder`, the full silver path
/// (decode + typed rows + row encoding with the SHA-256 checksum), and the HTTP
/// toolkit's read of each page (`JSONTree` against `JSONSerialization`).
///
/// Each line gives MB/s of wall time and MB/s per CPU-second of the measuring thread
/// ("a core"): on a machine shared with other work the second is the stable figure.
/// The target line compares the full silver path with issue 12's 150 MB/s a core and with
/// Foundation's full path measured in the same run.
struct JSONBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json",
        abstract: "MB/s of decoding acme order pages on one core, and the peak RSS of each variant.")

    @Option(help: "Orders to generate (pages of \(AcmeDemoAPI.pageSize)).")
    var orders = 200_000

    @Option(help: "Runs per variant; the best one is reported.")
    var runs = 3

    @Option(help: "Only the variants whose label contains this text (to profile one).")
    var only: String?

    func run() throws {
        let artifacts = Self.pages(orders: orders)
        let bytes = artifacts.reduce(0) { $0 + $1.bytes.count }
        print("ingestbench json: \(orders) orders in \(artifacts.count) pages, \(String(format: "%.1f", Double(bytes) / 1e6)) MB of JSON, one core, best of \(runs)")
        let parser = OrdersParser()

        let foundationRows = try StoredArtifact.$jsonDecoding.withValue(.foundation) { try artifacts.flatMap(parser.parse) }
        let ingestRows = try artifacts.flatMap(parser.parse)
        guard foundationRows == ingestRows else { throw ValidationError("the two decoders produced different rows") }
        print("  rows: \(ingestRows.count), identical from both decoders")

        var full: (ingest: Double?, foundation: Double?) = (nil, nil)
        try measure("Foundation JSONDecoder   decode + map to OrderRow", bytes: bytes) {
            try StoredArtifact.$jsonDecoding.withValue(.foundation) {
                artifacts.reduce(0) { $0 + ((try? parser.parse($1).count) ?? 0) }
            }
        }
        try measure("IngestJSONDecoder        decode + map to OrderRow", bytes: bytes) {
            try artifacts.reduce(0) { $0 + (try parser.parse($1).count) }
        }
        let encoder = try RowEncoder<OrdersTable>()
        full.ingest = try measure("IngestJSONDecoder        decode + map + RowEncoder (SHA-256)", bytes: bytes) {
            var values = 0
            for artifact in artifacts {
                for row in try parser.parse(artifact) { values += try encoder.encode(row, bronzeKey: artifact.bronzeKey).values.count }
            }
            return values
        }
        full.foundation = try StoredArtifact.$jsonDecoding.withValue(.foundation) { () throws -> Double? in
            try measure("Foundation JSONDecoder   decode + map + RowEncoder (SHA-256)", bytes: bytes) {
                var values = 0
                for artifact in artifacts {
                    for row in try parser.parse(artifact) { values += try encoder.encode(row, bronzeKey: artifact.bronzeKey).values.count }
                }
                return values
            }
        }
        if let ingest = full.ingest {
            let against = full.foundation.map { String(format: ", %.1f× Foundation's full path", ingest / $0) } ?? ""
            print("  full silver path (decode + map + RowEncoder + SHA-256): \(String(format: "%.1f", ingest)) MB/s a core\(against); target 150 MB/s a core: \(ingest >= 150 ? "met" : "NOT met")")
        }

        // The HTTP toolkit reads every page too (records path, next link): it used JSONSerialization, now JSONTree.
        let records = try JSONPath("results"), next = try JSONPath("next")
        try measure("Foundation JSONSerialization  toolkit page read (records + next)", bytes: bytes) {
            artifacts.reduce(0) { total, artifact in
                let page = (try? JSONSerialization.jsonObject(with: artifact.bytes)) as? [String: Any]
                return total + ((page?["results"] as? [Any])?.count ?? 0) + (page?["next"] is String ? 1 : 0)
            }
        }
        try measure("JSONTree                     toolkit page read (records + next)", bytes: bytes) {
            try artifacts.reduce(0) { total, artifact in
                let page = try JSONTree.parse(artifact.bytes)
                return total + (records.records(in: page)?.count ?? 0) + (next.string(in: page) != nil ? 1 : 0)
            }
        }
    }

    /// Times `body` `runs` times and prints the best MB/s (wall, and per CPU-second of this thread)
    /// and the peak RSS during the runs; returns the MB/s a core, or `nil` when `--only` skips the variant.
    @discardableResult
    private func measure(_ label: String, bytes: Int, _ body: () throws -> Int) throws -> Double? {
        if let only, !label.contains(only) { return nil }
        PeakMemory.reset()
        var best = Double.infinity, bestCPU = Double.infinity
        for _ in 0..<runs {
            let start = ContinuousClock.now, cpuStart = Self.threadCPUSeconds()
            _ = try body()
            let elapsed = ContinuousClock.now - start
            bestCPU = min(bestCPU, Self.threadCPUSeconds() - cpuStart)
            best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        let rate = Double(bytes) / 1e6 / best, perCore = Double(bytes) / 1e6 / bestCPU
        print("  \(label): \(String(format: "%7.1f", rate)) MB/s wall, \(String(format: "%7.1f", perCore)) MB/s a core  (\(String(format: "%.3f", best)) s, CPU \(String(format: "%.3f", bestCPU)) s, peak RSS \(PeakMemory.megabytes) MB)")
        return perCore
    }

    /// CPU time of the calling thread, seconds.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Pages exactly as the demo API serves them, as bronze artifacts in memory.
    static func pages(orders: Int) -> [StoredArtifact] {
        let api = AcmeDemoAPI(orders: orders)
        let pageCount = max(1, (orders + AcmeDemoAPI.pageSize - 1) / AcmeDemoAPI.pageSize)
        return (1...pageCount).map { page in
            let json = api.ordersPage(page)
            let provenance = Provenance(
                artifactId: "page-\(page)", key: "bronze/acme_portal/dataset=orders/bench/page-\(page).json", sha256: "",
                size: json.utf8.count, url: "http://127.0.0.1:8765/v1/orders?page=\(page)", contentType: "application/json",
                extractionMethod: .apiJSON, runId: "bench", extractedAt: "2026-01-01T00:00:00Z")
            return StoredArtifact(bytes: Data(json.utf8), provenance: provenance)
        }
    }
}
