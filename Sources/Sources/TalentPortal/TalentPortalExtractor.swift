import Foundation
import IngestKit

/// Browses the vacancy list with headless chromium: opens the list page,
/// captures each Aura XHR response (one `xhr_json` artifact per page), clicks
/// "next page" until the portal says there is no more, and keeps a DOM
/// snapshot of the last page (`dom_html_snapshot`). chromium is ended on every
/// way out, errors and cancellation included.
public struct TalentPortalExtractor: Extractor {
    /// A safety stop against a pager that never ends.
    public var maxPages: Int

    public init(maxPages: Int = 10_000) {
        self.maxPages = maxPages
    }

    public func extract(_ context: ExtractionContext, into sink: ArtifactSink) async throws {
        let options = try BrowserOptions(settings: context.settings)
        _ = try options.resolvedExecutable()
        let path = context.settings["TALENT_PORTAL_LIST_PATH"] ?? "/s/vacatures"
        if let configured = context.settings["TALENT_PORTAL_BASE_URL"] {
            let baseURL = configured.hasSuffix("/") ? String(configured.dropLast()) : configured
            try await browse(baseURL + path, options: options, context: context, sink: sink)
            return
        }
        let portal = try TalentDemoPortal(settings: context.settings)
        try await withDemoServer("talent_portal: the demo portal", portVariable: "TALENT_PORTAL_DEMO_PORT",
                                 defaultPort: TalentDemoPortal.defaultPort, context: context, start: { try await portal.start(port: $0) }) { server in
            context.say("talent_portal: TALENT_PORTAL_BASE_URL is not set, so browsing the built-in demo portal at \(server.baseURL) (\(portal.vacancies) vacancies)")
            try await browse(server.baseURL + path, options: options, context: context, sink: sink)
        }
    }

    private func browse(_ url: String, options: BrowserOptions, context: ExtractionContext, sink: ArtifactSink) async throws {
        try await Browser.withBrowser(options) { browser in
            let page = try await browser.newPage()
            page.captureResponses(urlContaining: "/sfsites/aura")
            try await page.navigate(to: url)
            var number = 1
            while true {
                // The list shows a page once its Aura call has answered and the rows are drawn.
                try await page.waitForSelector("#vacatures[data-page=\"\(number)\"]")
                let responses = try await page.waitForResponses(count: number)
                let response = responses[number - 1]
                guard response.status == 200 else {
                    throw IngestError("the portal's Aura call for page \(number) answered HTTP \(response.status)",
                                      fix: "open \(Redactor.shared.redactURL(url)) in a browser and check that the list loads")
                }
                try await sink.store(response.artifact(id: "aura_page_" + String(format: "%05d", number)))
                let hasMore = try await page.evaluate("document.querySelector('#vacatures').dataset.hasMore === 'true'").bool ?? false
                guard hasMore else { break }
                guard number < maxPages else {
                    throw IngestError("the vacancy list has more than \(maxPages) pages", fix: "check that the portal's next button ends")
                }
                try await page.click("#next")
                number += 1
            }
            try await sink.store(try await page.htmlArtifact(id: "dom_last_page", method: .domHTMLSnapshot))
            context.say("talent_portal: browsed \(number) page(s) of vacancies")
        }
    }
}
