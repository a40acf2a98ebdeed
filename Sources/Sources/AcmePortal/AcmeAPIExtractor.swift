import Foundation
import IngestKit

/// Pages through `GET <base>/v1/<endpoint>?page=N` with a bearer token,
/// following `next` until it is null, the API's `count` is reached or pages
/// stop making progress; each page is one `api_json` artifact.
/// The HTTP part is a declarative `RESTExtractor`; this type only adds the built-in demo API.
public struct AcmeAPIExtractor: Extractor {
    public var endpoint: String
    /// A safety stop against a server whose `next` never ends.
    public var maxPages: Int
    /// How a scheduler's window (`--window-start`/`--window-end`) reaches the API; `nil`: always everything.
    public var window: IncrementalWindow?

    public init(endpoint: String, maxPages: Int = 100_000, window: IncrementalWindow? = nil) {
        self.endpoint = endpoint
        self.maxPages = maxPages
        self.window = window
    }

    public func extract(_ context: ExtractionContext, into sink: ArtifactSink) async throws {
        let token = context.settings.secret("ACME_PORTAL_API_TOKEN")
        if let configured = context.settings["ACME_PORTAL_BASE_URL"] {
            let baseURL = configured.hasSuffix("/") ? String(configured.dropLast()) : configured
            guard let token else {
                throw IngestError("ACME_PORTAL_API_TOKEN is not set (needed for \(Redactor.shared.redactURL(baseURL)))",
                                  fix: "set ACME_PORTAL_API_TOKEN in the environment or .env")
            }
            try await pages(from: baseURL, token: token, context: context, sink: sink)
            return
        }
        let rows = Int(context.settings["ACME_PORTAL_DEMO_ROWS"] ?? "") ?? AcmeDemoAPI.defaultRows
        let revision = Int(context.settings["ACME_PORTAL_DEMO_REVISION"] ?? "") ?? 0
        let api = AcmeDemoAPI(orders: rows, revision: revision, token: token ?? AcmeDemoAPI.defaultToken)
        try await withDemoServer("acme_portal: the demo API", portVariable: "ACME_PORTAL_DEMO_PORT",
                                 defaultPort: AcmeDemoAPI.defaultPort, context: context, start: { try await api.start(port: $0) }) { server in
            context.say("acme_portal: ACME_PORTAL_BASE_URL is not set, so extracting from the built-in demo API at \(server.baseURL) (\(rows) orders)")
            try await pages(from: server.baseURL, token: token ?? AcmeDemoAPI.defaultToken, context: context, sink: sink)
        }
    }

    /// The declarative part: bearer auth and the API's `next` links, one `api_json` artifact per page.
    func rest(baseURL: String) -> RESTExtractor {
        RESTExtractor(
            baseURL: baseURL, path: "/v1/\(endpoint)", query: ["page": "1"],
            auth: .bearer(tokenVariable: "ACME_PORTAL_API_TOKEN"), paginator: .nextURL(path: "next"), recordsPath: "results",
            stop: PageStop(emptyPage: false, totalPath: "count", maxPages: maxPages, failAtMaxPages: true), incremental: window)
    }

    private func pages(from baseURL: String, token: String, context: ExtractionContext, sink: ArtifactSink) async throws {
        var context = context
        context.settings = context.settings.with("ACME_PORTAL_API_TOKEN", token)
        try await rest(baseURL: baseURL).extract(context, into: sink)
    }
}
