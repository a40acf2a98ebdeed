import Foundation
import IngestCommon
import Synchronization

/// One tab of a `Browser`: navigate, wait, click, type, evaluate, snapshot,
/// and capture network responses. Every wait ends at a timeout with an error
/// that names what was awaited.
public final class BrowserPage: Sendable {
    public let browser: Browser
    let targetId: String
    let session: String
    private let events = Mutex(PageEvents())
    private let lastWaitError = Mutex<String?>(nil)
    let capture: ResponseCapture

    struct PageEvents {
        /// Loader ids whose document fired its load event.
        var loaded: Set<String> = []
        var loads = 0
    }

    init(browser: Browser, targetId: String, session: String) {
        self.browser = browser
        self.targetId = targetId
        self.session = session
        self.capture = ResponseCapture()
    }

    func enableEvents() async throws {
        let session = self.session
        browser.connection.addListener { [weak self] event in
            guard let self, event.sessionId == session else { return }
            if event.method == "Page.lifecycleEvent", event.params["name"]?.string == "load", let loader = event.params["loaderId"]?.string {
                self.events.withLock { $0.loaded.insert(loader) }
            }
            if event.method == "Page.loadEventFired" { self.events.withLock { $0.loads += 1 } }
            self.capture.handle(event, page: self)
        }
        _ = try await send("Page.enable")
        _ = try await send("Page.setLifecycleEventsEnabled", ["enabled": .bool(true)])
        _ = try await send("Network.enable", ["maxResourceBufferSize": .number(Decimal(64 << 20)), "maxTotalBufferSize": .number(Decimal(256 << 20))])
    }

    /// Sends a DevTools command to this tab's session.
    public func send(_ method: String, _ params: [String: JSONTree] = [:]) async throws -> JSONTree {
        try await browser.connection.send(method, params, session: session)
    }

    // MARK: navigation and waits

    /// Loads `url` and waits for the load event of that very document.
    public func navigate(to url: String, timeout: Duration? = nil) async throws {
        let before = events.withLock { $0.loads }
        let result = try await send("Page.navigate", ["url": .string(url)])
        if let error = result["errorText"]?.string, !error.isEmpty {
            throw IngestError("the browser could not open \(Redactor.shared.redactURL(url)): \(error)", fix: "check that the URL is reachable from this machine")
        }
        let loader = result["loaderId"]?.string
        try await waitUntil("the page \(Redactor.shared.redactURL(url)) to load", timeout: timeout) {
            self.events.withLock { events in
                // A same-document navigation (a #fragment) has no loader: any later load event will do.
                if let loader { return events.loaded.contains(loader) }
                return events.loads > before
            }
        }
    }

    /// Waits until an element matches the CSS `selector`; with `visible`, until it also has a size on screen.
    public func waitForSelector(_ selector: String, visible: Bool = false, timeout: Duration? = nil) async throws {
        let check = visible
            ? "(() => { const e = document.querySelector(\(Self.js(selector))); if (!e) return false; const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; })()"
            : "document.querySelector(\(Self.js(selector))) !== null"
        try await waitForFunction(check, description: "\"\(selector)\"", timeout: timeout)
    }

    /// Waits until the JavaScript expression is truthy.
    public func waitForFunction(_ expression: String, description: String? = nil, timeout: Duration? = nil) async throws {
        try await waitUntil(description ?? "`\(expression)`", timeout: timeout) {
            let value: JSONTree
            do {
                value = try await self.evaluate(expression)
            } catch let error as IngestError {
                // While a document is replaced the page has no context to evaluate in: not yet.
                self.lastWaitError.withLock { $0 = error.message }
                return false
            }
            switch value {
            case .bool(let value): return value
            case .null: return false
            case .number(let value): return value != 0
            case .string(let value): return !value.isEmpty
            default: return true
            }
        }
    }

    /// Polls `condition` until it holds or the timeout passes (then throws naming `what`).
    public func waitUntil(_ what: String, timeout: Duration? = nil, _ condition: () async throws -> Bool) async throws {
        let limit = timeout ?? browser.options.timeout
        let deadline = ContinuousClock.now + limit
        lastWaitError.withLock { $0 = nil }
        while true {
            if try await condition() { return }
            guard ContinuousClock.now < deadline else {
                let url = (try? await currentURL()) ?? "?"
                let detail = lastWaitError.withLock { error in defer { error = nil }; return error.map { " (last error: \($0))" } ?? "" }
                throw IngestError("waited \(limit) for \(what) on \(Redactor.shared.redactURL(url)), in vain\(detail)",
                                  fix: "check the selector against the page (a DOM snapshot shows it), or raise INGEST_BROWSER_TIMEOUT_SECONDS")
            }
            try await Task.sleep(for: .milliseconds(40))
        }
    }

    // MARK: interaction

    /// Clicks the centre of the first element matching `selector` with real mouse events (scrolling it into view first).
    public func click(_ selector: String, timeout: Duration? = nil) async throws {
        try await waitForSelector(selector, visible: true, timeout: timeout)
        let box = try await evaluate("""
            (() => { const e = document.querySelector(\(Self.js(selector))); e.scrollIntoView({block: 'center', inline: 'center'});
                     const r = e.getBoundingClientRect(); return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()
            """)
        guard let x = box["x"]?.decimal, let y = box["y"]?.decimal else {
            throw IngestError("\"\(selector)\" has no position to click", fix: "check that the element is rendered")
        }
        for type in ["mouseMoved", "mousePressed", "mouseReleased"] {
            var params: [String: JSONTree] = ["type": .string(type), "x": .number(x), "y": .number(y)]
            if type != "mouseMoved" {
                params["button"] = .string("left")
                params["clickCount"] = .number(1)
            }
            _ = try await send("Input.dispatchMouseEvent", params)
        }
    }

    /// Focuses the element matching `selector` and types `text` into it (as keyboard input would insert it).
    public func type(_ selector: String, _ text: String, timeout: Duration? = nil) async throws {
        try await waitForSelector(selector, timeout: timeout)
        _ = try await evaluate("document.querySelector(\(Self.js(selector))).focus()")
        _ = try await send("Input.insertText", ["text": .string(text)])
    }

    /// Evaluates JavaScript in the page (awaiting a promise result) and returns the value as JSON.
    @discardableResult
    public func evaluate(_ expression: String) async throws -> JSONTree {
        let result = try await send("Runtime.evaluate", [
            "expression": .string(expression), "returnByValue": .bool(true), "awaitPromise": .bool(true),
        ])
        if let exception = result["exceptionDetails"] {
            let text = exception["exception"]?["description"]?.string ?? exception["text"]?.string ?? "an exception"
            throw IngestError("JavaScript failed in the page: \(text)", fix: "check the script (it runs in the page, as in the browser console)")
        }
        return result["result"]?["value"] ?? .null
    }

    /// The address of the page now shown.
    public func currentURL() async throws -> String {
        try await evaluate("location.href").string ?? ""
    }

    // MARK: snapshots and captures

    /// The DOM as HTML now (with the doctype), after scripts changed it.
    public func html() async throws -> String {
        try await evaluate("""
            (document.doctype ? new XMLSerializer().serializeToString(document.doctype) + '\\n' : '') + document.documentElement.outerHTML
            """).string ?? ""
    }

    /// A PNG of the whole page (beyond the viewport), as chromium draws it now.
    public func screenshot() async throws -> Data {
        let result = try await send("Page.captureScreenshot", ["format": .string("png"), "captureBeyondViewport": .bool(true)])
        guard let encoded = result["data"]?.string, let png = Data(base64Encoded: encoded) else {
            throw IngestError("chromium returned no screenshot", fix: "check that the page finished loading (waitForSelector) before the screenshot")
        }
        return png
    }

    /// The DOM as an artifact: `dom_html` for a page to parse, `dom_html_snapshot` for a record of what was seen.
    public func htmlArtifact(id: String, method: ExtractionMethod = .domHTML) async throws -> RawArtifact {
        let html = try await html()
        return RawArtifact(artifactId: id, bytes: Data(html.utf8), url: try await currentURL(),
                           contentType: "text/html; charset=utf-8", extractionMethod: method)
    }

    /// Starts keeping the bodies of responses whose URL `matches` (XHR and fetch calls, usually).
    public func captureResponses(matching matches: @escaping @Sendable (String) -> Bool) {
        capture.start(matches)
    }

    /// Starts keeping responses whose URL contains `fragment`.
    public func captureResponses(urlContaining fragment: String) {
        capture.start { $0.contains(fragment) }
    }

    /// The captured responses so far, in the order they finished loading.
    public func capturedResponses() -> [CapturedResponse] {
        capture.responses()
    }

    /// Waits until at least `count` matching responses have been captured, and returns them all.
    public func waitForResponses(count: Int, timeout: Duration? = nil) async throws -> [CapturedResponse] {
        try await waitUntil("\(count) captured response(s) (have \(capture.responses().count))", timeout: timeout) {
            if let failure = self.capture.failure() { throw failure }
            return self.capture.responses().count >= count
        }
        return capture.responses()
    }

    /// Closes the tab.
    public func close() async throws {
        _ = try await browser.connection.send("Target.closeTarget", ["targetId": .string(targetId)])
    }

    /// A Swift string as a JavaScript string literal.
    static func js(_ text: String) -> String {
        String(decoding: JSONTree.string(text).data(), as: UTF8.self)
    }
}
