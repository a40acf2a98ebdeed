import ArgumentParser
import Foundation
import IngestKit

/// `ingestctl serve`: the runs web page, `/metrics` (Prometheus) and `/healthz` over HTTP, from the ledger.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a read-only web page of runs, freshness and model lineage, /metrics (Prometheus text format) and /healthz over HTTP.",
        discussion: "Binds to 127.0.0.1 unless --host says otherwise. Stops on SIGINT or SIGTERM.")

    @Option(help: "Port to listen on (0: any free port; the chosen one is printed).")
    var port: Int = 8080

    @Option(help: "Address to bind to. Anything but a loopback address exposes the pages and metrics to the network.")
    var host: String = "127.0.0.1"

    @OptionGroup var output: OutputOptions

    func run() async throws {
        do {
            let platform = try IngestCtl.platform(output.style)
            let host = self.host
            try await ObserveServer.run(platform: platform, registry: registeredSources, host: host, port: port) { port in
                platform.say("ingestctl serve: listening on http://\(host):\(port) (runs page /, /metrics, /healthz)")
            }
        } catch {
            throw fail(error)
        }
    }
}
