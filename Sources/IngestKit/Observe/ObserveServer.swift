import Foundation
import Hummingbird
import IngestCommon
import NIOCore

/// `ingestctl serve`: an HTTP server (Hummingbird) for monitoring, read-only.
///
/// - `GET /metrics`: every dataset in the ledger (`staging.ingestion_state`) in the
///   Prometheus text format (see ``MetricsExport``), read afresh on each scrape. The
///   ledger keeps no step durations, model results or gate, so those series are left out here.
/// - `GET /healthz`: `ok` (200) when the warehouse answers, 503 with the reason otherwise.
///
/// - `GET /`: the runs page (HTML): every registered source and dataset with its last run, the
///   latest runs, freshness and the model lineage as an SVG graph (``RunsPage``).
/// - `GET /runs/<run id>`: one run's page (``RunPage``): steps, counts, rejected items and schema drift; 404 for a run the ledger does not have.
///
/// Every page is read-only, built on the server from the ledger on each request, with every text
/// masked and HTML-escaped (``HTML``); no script and no asset from elsewhere.
///
/// Binds to 127.0.0.1 unless another host is given.
public enum ObserveServer {
    /// Serves until SIGTERM or SIGINT. `onRunning` gets the bound port (useful with port 0).
    public static func run(platform: Platform, registry: SourceRegistry, host: String = "127.0.0.1", port: Int,
                           onRunning: @escaping @Sendable (Int) -> Void) async throws {
        // The pages must mask every secret the sources declare, even one no page has read yet.
        for variable in registry.sources.flatMap(\.variables) where variable.isSecret { _ = platform.settings.secret(variable.name) }
        let router = Router()
        router.get("/") { _, _ -> Response in
            do {
                return html(RunsPage.render(try await RunsSnapshot.read(platform: platform, registry: registry)))
            } catch {
                platform.logger.error("/: \(error.redactedDescription)")
                return text("cannot read the ledger: \(error.redactedDescription)\n", status: .serviceUnavailable)
            }
        }
        router.get("runs/:id") { _, context -> Response in
            // The links percent-encode the id (RunCells.percentEncoded); the router hands the segment over as sent.
            let segment = context.parameters.get("id") ?? ""
            let runId = segment.removingPercentEncoding ?? segment
            do {
                guard let detail = try await RunLedger.run(runId, platform: platform, registry: registry) else {
                    return html(RunPage.notFound(runId), status: .notFound)
                }
                return html(RunPage.render(detail))
            } catch {
                platform.logger.error("/runs: \(error.redactedDescription)")
                return text("cannot read the ledger: \(error.redactedDescription)\n", status: .serviceUnavailable)
            }
        }
        router.get("healthz") { _, _ -> Response in
            do {
                _ = try await ledgerFigures(platform)
                return text("ok\n")
            } catch {
                return text("warehouse unavailable: \(error.redactedDescription)\n", status: .serviceUnavailable)
            }
        }
        router.get("metrics") { _, _ -> Response in
            do {
                let figures = try await ledgerFigures(platform)
                return text(MetricsExport.text(figures), contentType: "text/plain; version=0.0.4; charset=utf-8")
            } catch {
                platform.logger.error("/metrics: \(error.redactedDescription)")
                return text("cannot read the ledger: \(error.redactedDescription)\n", status: .serviceUnavailable)
            }
        }
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "ingestctl"),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? port) },
            logger: platform.logger)
        try await app.runService()
    }

    static func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        text(body, status: status, contentType: "text/html; charset=utf-8")
    }

    static func text(_ body: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    /// The latest finished run of each dataset in the ledger, with its totals, sorted by name.
    public static func ledgerFigures(_ platform: Platform) async throws -> [RunFigures] {
        let warehouse = try await platform.openWarehouse()
        do {
            let summaries = try await LedgerSummary.read(in: warehouse)
            let state = IngestionState(warehouse.dialect)
            var figures: [RunFigures] = []
            for key in summaries.keys.sorted() {
                guard let dot = key.firstIndex(of: ".") else { continue }
                let runs = try await state.recent(source: String(key[..<dot]), dataset: String(key[key.index(after: dot)...]),
                                                  limit: 10, in: warehouse)
                if let latest = runs.first(where: { $0.status != .running }) {
                    figures.append(RunFigures(record: latest, ledger: summaries[key]!))
                }
            }
            await warehouse.close()
            return figures
        } catch {
            await warehouse.close()
            throw error
        }
    }
}
