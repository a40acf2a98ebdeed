import Foundation
import IngestKit
import IngestTestSupport
import Synchronization
import Testing

/// The browser toolkit against a real headless chromium and the SDK's demo pages on loopback (`BrowserDemoPages`).
@Suite(.serialized) struct BrowserTests {
    @Test func browsesTheDemoPortal() async throws {
        let server = try await BrowserSupport.pages(BrowserDemoPages(items: 60))
        defer { Task { await server.stop() } }
        let group = try await Browser.withBrowser { browser in
            #expect(try await browser.version().contains("Chrome"))
            let page = try await browser.newPage()
            page.captureResponses(urlContaining: "/sfsites/aura")
            try await page.navigate(to: server.baseURL + "/s/items")
            try await page.waitForSelector("#items[data-page=\"1\"]")
            #expect(try await page.evaluate("document.title").string == "Browser demo — Items")
            #expect(try await page.evaluate("document.querySelectorAll('#items tbody tr').length").int == 25)
            #expect(try await page.evaluate("Promise.resolve({a: [1, 'two', null], b: true})") ==
                .object(["a": .array([.number(1), .string("two"), .null]), "b": .bool(true)]), "promises are awaited")

            // XHR capture: the first Aura answer, with its URL and body.
            let first = try await page.waitForResponses(count: 1)
            #expect(first[0].url.contains("/s/sfsites/aura?r=1"))
            #expect(first[0].status == 200)
            #expect(try AuraPayload(first[0].body).records().count == 25)
            let artifact = first[0].artifact(id: "aura_page_00001")
            #expect(artifact.extractionMethod == .xhrJSON)

            // Click "next page" twice: 60 items are 3 pages.
            try await page.click("#next")
            try await page.waitForSelector("#items[data-page=\"2\"]")
            try await page.click("#next")
            try await page.waitForSelector("#items[data-page=\"3\"]")
            let all = try await page.waitForResponses(count: 3)
            #expect(all.map { $0.url.components(separatedBy: "page=").last } == ["1", "2", "3"])
            #expect(try all.map { try AuraPayload($0.body).records().count } == [25, 25, 10])
            #expect(try await page.evaluate("document.getElementById('next').disabled").bool == true)

            // Typing goes into the focused field.
            try await page.type("#q", "Utrecht")
            #expect(try await page.evaluate("document.getElementById('q').value").string == "Utrecht")

            // The DOM snapshot is what scripts drew, parsed with the HTML helper.
            let snapshot = try await page.htmlArtifact(id: "dom_last_page", method: .domHTMLSnapshot)
            #expect(snapshot.extractionMethod == .domHTMLSnapshot)
            #expect(snapshot.url == server.baseURL + "/s/items")
            let html = try HTMLDocument(snapshot.bytes)
            let rows = try html.select(css: "#items tbody tr")
            #expect(rows.count == 10)
            #expect(try rows[0].select("td[1]").first?.text == "ITEM-00051")
            #expect(String(decoding: snapshot.bytes.prefix(15), as: UTF8.self) == "<!DOCTYPE html>")

            // A download: the export link, captured as an export_download artifact and read as CSV.
            let file = try await browser.download { try await page.click("#export") }
            #expect(file.url.hasSuffix("/s/export/items.csv"))
            #expect(file.suggestedFilename == "items.csv")
            let export = file.artifact(id: "export")
            #expect(export.extractionMethod == .exportDownload)
            let csv = try CSVTable(export.bytes)
            #expect(csv.header.first == "Id")
            #expect(csv.rows.count == 61)
            #expect(csv.rows.last?[2] == "Note: \"urgent\", start\nright away")
            return browser.processId
        }
        #expect(!BrowserSupport.groupIsAlive(group), "chromium ended after the block")
    }

    @Test func aWaitThatNeverComesTimesOutClearly() async throws {
        let server = try await BrowserSupport.pages()
        defer { Task { await server.stop() } }
        let pid = PidBox()
        let error = await #expect(throws: IngestError.self) {
            try await Browser.withBrowser { browser in
                pid.set(browser.processId)
                let page = try await browser.newPage()
                try await page.navigate(to: server.baseURL + "/s/items")
                try await page.waitForSelector("#no-such-element", timeout: .milliseconds(600))
            }
        }
        #expect(error?.message.contains("\"#no-such-element\"") == true, "\(String(describing: error))")
        #expect(error?.message.contains("/s/items") == true)
        #expect(error?.fix != nil)
        #expect(!BrowserSupport.groupIsAlive(pid.value), "chromium ended after the error")
    }

    @Test func cancellingTheTaskEndsTheBrowser() async throws {
        let server = try await BrowserSupport.pages()
        defer { Task { await server.stop() } }
        let pid = PidBox()
        let task = Task {
            try await Browser.withBrowser { browser in
                let page = try await browser.newPage()
                try await page.navigate(to: server.baseURL + "/s/items")
                pid.set(browser.processId)
                // Waits far longer than the test: only cancellation ends it.
                try await page.waitForSelector("#never", timeout: .seconds(600))
            }
        }
        #expect(await eventually { pid.value != 0 })
        let group = pid.value
        #expect(BrowserSupport.groupIsAlive(group))
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(!BrowserSupport.groupIsAlive(group), "chromium ended on cancellation")
    }

    @Test func javaScriptErrorsAndBadNavigationsAreNamed() async throws {
        try await Browser.withBrowser { browser in
            let page = try await browser.newPage()
            let thrown = await #expect(throws: IngestError.self) { try await page.evaluate("(() => { throw new Error('boom') })()") }
            #expect(thrown?.message.contains("boom") == true)
            let port = try await Ingestctl.freePort()
            let refused = await #expect(throws: IngestError.self) { try await page.navigate(to: "http://127.0.0.1:\(port)/") }
            #expect(refused?.message.contains("could not open") == true)
        }
    }

    @Test func aMissingChromiumIsNamed() async throws {
        let error = await #expect(throws: IngestError.self) {
            try await Browser.withBrowser(BrowserOptions(executable: "/nonexistent/chromium")) { _ in }
        }
        #expect(error?.message.contains("CHROMIUM_PATH") == true)
    }

}

final class PidBox: Sendable {
    private let pid = Mutex<Int32>(0)
    func set(_ value: Int32) { pid.withLock { $0 = value } }
    var value: Int32 { pid.withLock { $0 } }
}
