import CoreMetrics
import Foundation
import Prometheus

/// Turns ``RunFigures`` into the Prometheus text format through swift-metrics, with
/// swift-prometheus as the backend. Each call fills a fresh registry (no global
/// `MetricsSystem` state), so one dataset's figures never leak into another's export.
///
/// Every series carries the labels `source` and `dataset`:
/// - `ingest_runs_total{status}`: runs in the ledger by status (counter)
/// - `ingest_last_run_succeeded`: 1 when the latest run succeeded, else 0
/// - `ingest_last_run_timestamp_seconds`, `ingest_last_success_timestamp_seconds`: Unix seconds
/// - `ingest_last_run_duration_seconds`
/// - `ingest_last_run_artifacts`, `ingest_last_run_bytes`
/// - `ingest_last_run_rows_{parsed,inserted,updated,unchanged,duplicates,rejected}`
/// - `ingest_last_run_models_built`, `ingest_last_run_models_failed`, `ingest_last_run_tests_failed`
/// - `ingest_last_run_gate_passed`: 1 passed, 0 failed (absent when the run ended before its gate)
/// - `ingest_step_duration_seconds{step}`: histogram of the latest run's step durations
///
/// Figures the source of the figures does not keep (the ledger has no step durations,
/// models or gate) are left out rather than exported as 0.
public enum MetricsExport {
    /// Step-duration histogram buckets, in seconds.
    public static let stepBuckets: [Duration] = [.milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(15),
                                                 .seconds(60), .seconds(300), .seconds(900), .seconds(3600)]

    /// The figures as Prometheus text exposition format (version 0.0.4).
    public static func text(_ figures: [RunFigures]) -> String {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = stepBuckets
        for figure in figures { record(figure, into: factory) }
        return registry.emitToString()
    }

    static func record(_ f: RunFigures, into factory: PrometheusMetricsFactory) {
        let labels = [("source", f.source), ("dataset", f.dataset)]
        func gauge(_ name: String, _ value: Double?) {
            guard let value else { return }
            Gauge(label: name, dimensions: labels, factory: factory).record(value)
        }
        func gauge(_ name: String, _ value: Int?) { gauge(name, value.map(Double.init)) }

        for status in ["succeeded", "failed"] {
            Counter(label: "ingest_runs_total", dimensions: labels + [("status", status)], factory: factory)
                .increment(by: Int64(f.runsByStatus[status] ?? 0))
        }
        gauge("ingest_last_run_succeeded", f.status == "succeeded" ? 1 : 0)
        gauge("ingest_last_run_timestamp_seconds", f.finishedAt)
        gauge("ingest_last_success_timestamp_seconds", f.lastSuccessAt)
        gauge("ingest_last_run_duration_seconds", f.runSeconds)
        gauge("ingest_last_run_artifacts", f.artifacts)
        gauge("ingest_last_run_bytes", f.bytes)
        gauge("ingest_last_run_rows_parsed", f.rowsParsed)
        gauge("ingest_last_run_rows_inserted", f.rowsInserted)
        gauge("ingest_last_run_rows_updated", f.rowsUpdated)
        gauge("ingest_last_run_rows_unchanged", f.rowsUnchanged)
        gauge("ingest_last_run_rows_duplicates", f.rowsDuplicates)
        gauge("ingest_last_run_rows_rejected", f.rowsRejected)
        gauge("ingest_last_run_models_built", f.modelsBuilt)
        gauge("ingest_last_run_models_failed", f.modelsFailed)
        gauge("ingest_last_run_tests_failed", f.testsFailed)
        gauge("ingest_last_run_gate_passed", f.gatePassed.map { $0 ? 1 : 0 })
        for (step, seconds) in f.stepSeconds {
            CoreMetrics.Timer(label: "ingest_step_duration_seconds", dimensions: labels + [("step", step)], factory: factory)
                .recordNanoseconds(Int64((seconds * 1e9).rounded()))
        }
    }
}
