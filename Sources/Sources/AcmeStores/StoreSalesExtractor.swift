import IngestKit

/// Pages through `GET <base>/v1/stores/<store>/sales?page=N` with a bearer token, following `next`
/// until it is null; each page is one `api_json` artifact. With no `ACME_STORES_BASE_URL`, from the
/// built-in demo API.
public struct StoreSalesExtractor: Extractor {
    public var store: String

    public init(store: String) {
        self.store = store
    }

    public func extract(_ context: ExtractionContext, into sink: ArtifactSink) async throws {
        if let configured = context.settings["ACME_STORES_BASE_URL"] {
            guard context.settings.secret("ACME_STORES_API_TOKEN") != nil else {
                throw IngestError("ACME_STORES_API_TOKEN is not set (needed for \(Redactor.shared.redactURL(configured)))",
                                  fix: "set ACME_STORES_API_TOKEN in the environment or .env")
            }
            try await rest(baseURL: configured.hasSuffix("/") ? String(configured.dropLast()) : configured).extract(context, into: sink)
            return
        }
        let sales = Int(context.settings["ACME_STORES_DEMO_SALES"] ?? "") ?? StoreSalesDemoAPI.defaultSales
        let token = context.settings.secret("ACME_STORES_API_TOKEN") ?? StoreSalesDemoAPI.defaultToken
        let api = StoreSalesDemoAPI(sales: sales, token: token)
        try await withDemoServer("acme_stores: the demo API", portVariable: "ACME_STORES_DEMO_PORT",
                                 defaultPort: StoreSalesDemoAPI.defaultPort, context: context, start: { try await api.start(port: $0) }) { server in
            context.say("acme_stores: ACME_STORES_BASE_URL is not set, so extracting from the built-in demo API at \(server.baseURL) (\(sales) sales per store)")
            var context = context
            context.settings = context.settings.with("ACME_STORES_API_TOKEN", token)
            try await rest(baseURL: server.baseURL).extract(context, into: sink)
        }
    }

    /// The declarative part: bearer auth, the API's `next` links and its `count`.
    func rest(baseURL: String) -> RESTExtractor {
        RESTExtractor(
            baseURL: baseURL, path: "/v1/stores/\(store)/sales", query: ["page": "1"],
            auth: .bearer(tokenVariable: "ACME_STORES_API_TOKEN"), paginator: .nextURL(path: "next"), recordsPath: "results",
            stop: PageStop(emptyPage: false, totalPath: "count"))
    }
}
