import Foundation
import IngestCommon

/// What a run exports for monitoring, hooked at its start and its end:
/// the metrics file (`--metrics-file`), the Pushgateway push (`PUSHGATEWAY_URL`) and the
/// OpenLineage events (`OPENLINEAGE_URL` / `OPENLINEAGE_FILE`).
///
/// An export that fails never changes the run or its ledger row; ``finished(_:)`` says what
/// failed, and the CLI prints it (a `--metrics-file` that cannot be written also makes the
/// exit status 2, as an unwritable `--report` does).
public struct RunObserver: Sendable {
    public struct Problem: Sendable, CustomStringConvertible {
        /// `metrics-file`, `pushgateway` or `openlineage`
        public var export: String
        public var message: String
        public var description: String { "\(export): \(message)" }
    }

    public let platform: Platform
    public let registry: SourceRegistry
    public let metricsFile: String?
    public let pushgateway: Pushgateway?
    public let lineage: OpenLineage?

    public init(platform: Platform, registry: SourceRegistry, metricsFile: String? = nil) {
        self.platform = platform
        self.registry = registry
        self.metricsFile = metricsFile
        self.pushgateway = Pushgateway(platform.settings)
        self.lineage = OpenLineage(platform.settings)
    }

    /// Sends the OpenLineage START event (called by the pipeline before preflight).
    public func started(_ report: RunReport) async -> [Problem] {
        guard let lineage else { return [] }
        do {
            try await lineage.emit(lineage.startEvent(report, datasets: lineageDatasets(report)))
            return []
        } catch {
            return [Problem(export: "openlineage", message: error.redactedDescription)]
        }
    }

    /// Writes the metrics file, pushes to the Pushgateway and sends COMPLETE or FAIL.
    public func finished(_ report: RunReport) async -> [Problem] {
        var problems: [Problem] = []
        if metricsFile != nil || pushgateway != nil {
            var ledger: LedgerSummary?
            do {
                ledger = try await platform.withWarehouse {
                    try await LedgerSummary.read(in: $0, source: report.source, dataset: report.dataset)
                }["\(report.source).\(report.dataset)"]
            } catch {
                problems.append(Problem(export: "metrics", message: "runs by status and the last success come from this run only: the ledger could not be read: \(error.redactedDescription)"))
            }
            let text = MetricsExport.text([RunFigures(report: report, ledger: ledger)])
            if let metricsFile {
                do { try MetricsFile.write(text, to: metricsFile) } catch {
                    problems.append(Problem(export: "metrics-file", message: error.redactedDescription))
                }
            }
            if let pushgateway {
                do { try await pushgateway.push(text, source: report.source, dataset: report.dataset) } catch {
                    problems.append(Problem(export: "pushgateway", message: error.redactedDescription))
                }
            }
        }
        if let lineage {
            do { try await lineage.emit(lineage.endEvent(report, datasets: lineageDatasets(report))) } catch {
                problems.append(Problem(export: "openlineage", message: error.redactedDescription))
            }
        }
        return problems
    }

    /// The run's bronze prefix, silver table and built marts in OpenLineage naming.
    func lineageDatasets(_ report: RunReport) -> OpenLineage.Datasets {
        var bronzeNamespace = "file"
        var bronzeRoot = platform.lakehouseRoot + "/"
        if let lakehouse = platform.settings["LAKEHOUSE_URL"], let parts = URLComponents(string: lakehouse) {
            if parts.scheme == "s3", let bucket = parts.host {
                bronzeNamespace = "s3://\(bucket)"
                let prefix = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
                bronzeRoot = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
            } else if parts.scheme == "file" {
                bronzeRoot = parts.path.hasSuffix("/") ? parts.path : parts.path + "/"
            }
        }
        var warehouseNamespace: String
        var tablePrefix = ""
        switch platform.warehouse {
        case .postgres(let url):
            warehouseNamespace = "postgres://\(url.host):\(url.port)"
            tablePrefix = url.database + "."
        case .sqlite(let directory):
            warehouseNamespace = "sqlite://" + directory
        }
        let dataset = try? registry.dataset("\(report.source).\(report.dataset)")
        let silver = (try? dataset?.tableSchema()).map { "\($0.schema).\($0.table)" } ?? "\(report.source).\(report.dataset)"
        return OpenLineage.Datasets(bronzeNamespace: bronzeNamespace, bronzeRoot: bronzeRoot, warehouseNamespace: warehouseNamespace,
                                    tablePrefix: tablePrefix, silverTable: silver, marts: builtMarts(report))
    }

    /// The marts this run's models step built, from its `run_results.json` (empty when no models ran).
    func builtMarts(_ report: RunReport) -> [String] {
        guard report.models != nil, let graph = try? registry.modelGraph() else { return [] }
        let path = (platform.resultsFolder as NSString).appendingPathComponent("run_results.json")
        guard let data = FileManager.default.contents(atPath: path),
              let results = try? JSONDecoder().decode(ModelResults.self, from: data),
              results.selection == "stg_\(report.source)__\(report.dataset)+", results.startedAt >= report.startedAt
        else { return [] }
        return results.results.compactMap { node in
            guard node.kind == .model, node.status == .success, let model = graph.nodes[node.name]?.model,
                  model.layer == .marts else { return nil }
            return "\(model.layer.schema).\(node.name)"
        }
    }
}
