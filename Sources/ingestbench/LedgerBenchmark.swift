import ArgumentParser
import Foundation
import IngestCommon
import IngestKit

/// `LedgerSummary` (what `/metrics`, the Pushgateway push and the runs page read) against ledgers of
/// different lengths, beside the query it replaced (a `GROUP BY` over the whole ledger) in the same run.
/// Each size gets its own scratch database on the server of the URL given.
struct LedgerBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger", abstract: "Benchmark LedgerSummary (runs by status per dataset) at ledger lengths, against a GROUP BY of the ledger.")

    @Option(help: "Ledger rows, comma-separated.")
    var sizes = "100000,2600000"

    @Option(help: "Datasets the rows are spread over.")
    var datasets = 300

    @Option(help: "How many times each read runs (the median is printed).")
    var repeats = 5

    @Option(name: .customLong("warehouse-url"), help: "PostgreSQL URL whose server gets the scratch databases (default: WAREHOUSE_URL).")
    var warehouseURL: String?

    func run() async throws {
        guard let base = warehouseURL ?? ProcessInfo.processInfo.environment["WAREHOUSE_URL"] else {
            throw IngestError("no PostgreSQL to benchmark on", fix: "give --warehouse-url postgres://… or set WAREHOUSE_URL")
        }
        print("LedgerSummary on PostgreSQL, \(datasets) datasets, medians of \(repeats)")
        print("rows        summary (all)   summary (1 dataset)   GROUP BY ledger (before)   fill totals once")
        for size in sizes.split(separator: ",").compactMap({ Int($0) }) {
            let url = try await PostgresWarehouse.createScratchDatabase(baseURL: base, prefix: "bench_ledger")
            let warehouse = try await PostgresWarehouse.connect(try WarehouseConfiguration.parsePostgres(url), connections: 1)
            let ledger = RunLedger(warehouse.dialect)
            try await ledger.prepare(in: warehouse)
            try await warehouse.execute("""
                INSERT INTO staging.ingestion_state (run_id, source, dataset, status, started_at, finished_at)
                SELECT 'run-' || i, 'source_' || (i % \(datasets) / 8), 'dataset_' || (i % \(datasets)),
                       CASE WHEN i % 10 = 0 THEN 'failed' ELSE 'succeeded' END,
                       timestamp '2026-01-01' + i * interval '1 second', timestamp '2026-01-01' + i * interval '1 second' + interval '30 seconds'
                FROM generate_series(1, \(size)) AS i
                """)
            try await warehouse.execute("ANALYZE staging.ingestion_state")
            // The totals of a ledger that existed before them are filled once, from the ledger.
            try await warehouse.execute("DROP TABLE staging.ingestion_totals")
            let fill = try await seconds { _ = try await LedgerSummary.read(in: warehouse) }
            var all: [Double] = [], one: [Double] = [], grouped: [Double] = []
            for _ in 0..<repeats {
                all.append(try await seconds { _ = try await LedgerSummary.read(in: warehouse) })
                one.append(try await seconds { _ = try await LedgerSummary.read(in: warehouse, source: "source_1", dataset: "dataset_9") })
                grouped.append(try await seconds {
                    _ = try await warehouse.execute("""
                        SELECT "source", "dataset", "status", COUNT(*) AS "runs", MAX("finished_at") AS "last_finished"
                        FROM staging.ingestion_state GROUP BY "source", "dataset", "status"
                        """)
                })
            }
            let summary = try await LedgerSummary.read(in: warehouse)
            let counted = summary.values.reduce(0) { $0 + $1.runsByStatus.values.reduce(0, +) }
            guard counted == size else { throw IngestError("the totals count \(counted) runs, the ledger holds \(size)") }
            print("\(String(size).padding(toLength: 12, withPad: " ", startingAt: 0))\(format(median(all)).padding(toLength: 16, withPad: " ", startingAt: 0))"
                  + "\(format(median(one)).padding(toLength: 22, withPad: " ", startingAt: 0))\(format(median(grouped)).padding(toLength: 27, withPad: " ", startingAt: 0))\(format(fill))")
            await warehouse.close()
            try await PostgresWarehouse.dropScratchDatabase(url, baseURL: base)
        }
        print("target: the summary takes the same time at every ledger length (the GROUP BY grows with the ledger)")
    }

    func seconds(_ body: () async throws -> Void) async throws -> Double {
        let start = ContinuousClock.now
        try await body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
