import Crypto
import Foundation
import IngestCommon

/// OpenLineage run events (spec 2-0-2): START when a run begins, COMPLETE or FAIL when it ends.
///
/// - job: namespace `OPENLINEAGE_NAMESPACE` (default `ingestkit`), name `<source>.<dataset>`
/// - run: `runId` is a UUID derived from IngestKit's run id (the spec wants a UUID); the
///   run id itself is in the `ingestkit_run` run facet; a FAIL carries the `errorMessage` facet
/// - inputs: the bronze run prefix (namespace `s3://<bucket>` or `file`)
/// - outputs: the silver table, then the marts the run built (namespace `postgres://host:port`
///   or `sqlite`), the silver table with an `outputStatistics` facet (rows) and an
///   `ingestkit_rows` facet (parsed, inserted, updated, unchanged, duplicates, rejected, drift_keys)
///
/// Events go to `OPENLINEAGE_URL` (POST `<url>/api/v1/lineage`) or are appended as JSON lines to
/// `OPENLINEAGE_FILE`. Neither a URL's password nor any registered secret reaches an event.
public struct OpenLineage: Sendable {
    public enum Transport: Sendable, Equatable {
        case http(String)
        case file(String)
    }

    public static let producer = "https://github.com/ingestkit/ingestkit"
    public static let schemaURL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
    static let facetBase = "https://openlineage.io/spec/facets/"

    public var transport: Transport
    public var namespace: String

    public init(transport: Transport, namespace: String = "ingestkit") {
        self.transport = transport
        self.namespace = namespace
    }

    /// From `OPENLINEAGE_URL` or `OPENLINEAGE_FILE` (the URL wins); `nil` when neither is set.
    public init?(_ settings: Settings) {
        let namespace = settings["OPENLINEAGE_NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 } ?? "ingestkit"
        if let url = settings["OPENLINEAGE_URL"], !url.isEmpty {
            self.init(transport: .http(url), namespace: namespace)
        } else if let file = settings["OPENLINEAGE_FILE"], !file.isEmpty {
            self.init(transport: .file(file), namespace: namespace)
        } else {
            return nil
        }
    }

    /// Where a run read and wrote, in OpenLineage's dataset naming.
    public struct Datasets: Sendable {
        /// Bronze: `s3://<bucket>` or `file`, and the object prefix (or folder) of the run's artifacts.
        public var bronzeNamespace: String
        public var bronzeRoot: String
        /// The warehouse: `postgres://host:port` or `sqlite`, and the database name prefix for tables.
        public var warehouseNamespace: String
        public var tablePrefix: String
        /// `schema.table` of the silver table.
        public var silverTable: String
        /// `schema.model` of each mart the run built.
        public var marts: [String]

        public init(bronzeNamespace: String, bronzeRoot: String, warehouseNamespace: String, tablePrefix: String,
                    silverTable: String, marts: [String]) {
            self.bronzeNamespace = bronzeNamespace
            self.bronzeRoot = bronzeRoot
            self.warehouseNamespace = warehouseNamespace
            self.tablePrefix = tablePrefix
            self.silverTable = silverTable
            self.marts = marts
        }
    }

    /// A UUID (version 8, RFC 9562) derived from the run id: the same run id always gives the same UUID.
    public static func runUUID(_ runId: String) -> String {
        var bytes = Array(SHA256.hash(data: Data(runId.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let i = hex.startIndex
        func part(_ from: Int, _ to: Int) -> Substring { hex[hex.index(i, offsetBy: from)..<hex.index(i, offsetBy: to)] }
        return "\(part(0, 8))-\(part(8, 12))-\(part(12, 16))-\(part(16, 20))-\(part(20, 32))"
    }

    /// The START event of a run that has just begun.
    public func startEvent(_ report: RunReport, datasets: Datasets) -> [String: Any] {
        event("START", time: report.startedAt, report: report, datasets: datasets, ended: false)
    }

    /// The COMPLETE (succeeded) or FAIL event of a finished run.
    public func endEvent(_ report: RunReport, datasets: Datasets) -> [String: Any] {
        event(report.succeeded ? "COMPLETE" : "FAIL", time: report.finishedAt ?? report.startedAt, report: report,
              datasets: datasets, ended: true)
    }

    func facet(_ path: String, _ fields: [String: Any]) -> [String: Any] {
        var facet = fields
        facet["_producer"] = Self.producer
        facet["_schemaURL"] = path.hasPrefix("http") ? path : Self.facetBase + path
        return facet
    }

    func event(_ type: String, time: LocalTimestamp, report: RunReport, datasets: Datasets, ended: Bool) -> [String: Any] {
        let eventTime = ISO8601DateFormatter.string(from: time.date, timeZone: .gmt, formatOptions: [.withInternetDateTime, .withFractionalSeconds])
        var runFacets: [String: Any] = [
            "ingestkit_run": facet(Self.producer + "/blob/main/Docs/Observability.md#ingestkit_run", [
                "runId": report.runId, "status": ended ? report.status.rawValue : "running",
            ] as [String: Any]),
        ]
        if ended, let error = report.error {
            runFacets["errorMessage"] = facet("1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet", [
                "message": Redactor.shared.redact(error), "programmingLanguage": "Swift",
            ])
        }
        if ended, let gate = report.gate {
            runFacets["ingestkit_gate"] = facet(Self.producer + "/blob/main/Docs/Observability.md#ingestkit_gate", [
                "passed": gate.passed, "failures": gate.failures.map { Redactor.shared.redact($0) },
            ] as [String: Any])
        }
        var inputs: [[String: Any]] = []
        if let prefix = report.bronzePrefix {
            inputs.append(["namespace": datasets.bronzeNamespace, "name": datasets.bronzeRoot + prefix, "facets": [String: Any]()])
        }
        var silver: [String: Any] = ["namespace": datasets.warehouseNamespace, "name": datasets.tablePrefix + datasets.silverTable,
                                     "facets": [String: Any]()]
        if ended {
            silver["facets"] = ["ingestkit_rows": facet(Self.producer + "/blob/main/Docs/Observability.md#ingestkit_rows", [
                "parsed": report.counts.parsed, "inserted": report.counts.inserted, "updated": report.counts.updated,
                "unchanged": report.counts.unchanged, "duplicates": report.counts.duplicates,
                "rejected": report.counts.rejected, "drift_keys": report.drift.count,
                "artifacts": report.counts.artifacts, "bytes": report.counts.bytes,
            ])]
            silver["outputFacets"] = ["outputStatistics": facet("1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet", [
                "rowCount": report.counts.inserted + report.counts.updated,
            ])]
        }
        var outputs: [[String: Any]] = [silver]
        for mart in ended ? datasets.marts : [] {
            outputs.append(["namespace": datasets.warehouseNamespace, "name": datasets.tablePrefix + mart, "facets": [String: Any]()])
        }
        return [
            "eventType": type,
            "eventTime": eventTime,
            "producer": Self.producer,
            "schemaURL": Self.schemaURL,
            "run": ["runId": Self.runUUID(report.runId), "facets": runFacets] as [String: Any],
            "job": ["namespace": namespace, "name": "\(report.source).\(report.dataset)",
                    "facets": ["jobType": facet("2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet", [
                        "processingType": "BATCH", "integration": "INGESTKIT", "jobType": "JOB",
                    ])]] as [String: Any],
            "inputs": inputs,
            "outputs": outputs,
        ]
    }

    /// Sends (or appends) one event. Throws an ``IngestError`` naming the endpoint or file.
    public func emit(_ event: [String: Any]) async throws {
        let data = try JSONSerialization.data(withJSONObject: event, options: [.sortedKeys, .withoutEscapingSlashes])
        switch transport {
        case .http(let url):
            let base = url.hasSuffix("/") ? String(url.dropLast()) : url
            try await ObserverHTTP.send(.POST, base + "/api/v1/lineage", contentType: "application/json", body: data,
                                        what: "OpenLineage event (OPENLINEAGE_URL)")
        case .file(let path):
            try Self.append(data + Data("\n".utf8), to: path)
        }
    }

    /// Appends one line with a single `write` in append mode, so lines from parallel runs never interleave.
    static func append(_ line: Data, to path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else {
            throw IngestError("cannot open OPENLINEAGE_FILE \(path): \(String(cString: strerror(errno)))",
                              fix: "create its folder, or point OPENLINEAGE_FILE at a writable file")
        }
        defer { close(fd) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else {
            throw IngestError("cannot append to OPENLINEAGE_FILE \(path): \(String(cString: strerror(errno)))")
        }
    }
}
