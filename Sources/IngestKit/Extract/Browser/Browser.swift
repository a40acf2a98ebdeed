import Foundation
import IngestCommon
import Synchronization

/// A headless chromium driven over the Chrome DevTools Protocol.
///
/// Use it through `Browser.withBrowser`, which ends the browser process
/// whatever happens — success, an error, or cancellation of the task:
/// ```swift
/// try await Browser.withBrowser(BrowserOptions(settings: context.settings)) { browser in
///     let page = try await browser.newPage()
///     page.captureResponses { $0.contains("/aura") }
///     try await page.navigate(to: url)
///     try await page.waitForSelector("#results tr")
/// }
/// ```
public final class Browser: Sendable {
    let process: ChromiumProcess
    let connection: CDPConnection
    public let options: BrowserOptions
    private let downloads = Mutex(DownloadState())

    struct DownloadState {
        var directory: String?
        var started: [String: (url: String, name: String)] = [:]
        var completed: [DownloadedFile] = []
        var failed: [String] = []
    }

    private init(process: ChromiumProcess, connection: CDPConnection, options: BrowserOptions) {
        self.process = process
        self.connection = connection
        self.options = options
    }

    /// Starts chromium, runs `body`, and ends chromium afterwards in every case.
    public static func withBrowser<T: Sendable>(_ options: BrowserOptions = BrowserOptions(),
                                                _ body: (Browser) async throws -> T) async throws -> T {
        try await withClosing(try await launch(options), close: { await $0.close() }, body)
    }

    /// Starts chromium and connects to it. The caller must `close()` it; prefer `withBrowser`.
    public static func launch(_ options: BrowserOptions = BrowserOptions()) async throws -> Browser {
        let executable = try options.resolvedExecutable()
        let process = try ChromiumProcess.launch(executable: executable, extraArguments: options.extraArguments)
        do {
            let (port, path) = try await waitForDevToolsPort(process, timeout: options.launchTimeout)
            let socket = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: path)
            let browser = Browser(process: process, connection: CDPConnection(socket: socket, commandTimeout: options.commandTimeout), options: options)
            browser.connection.addListener { [weak browser] event in browser?.handleBrowserEvent(event) }
            return browser
        } catch {
            await process.terminate()
            throw error
        }
    }

    /// chromium writes `PORT\n/devtools/browser/ID` to `DevToolsActivePort` in its profile once it listens.
    private static func waitForDevToolsPort(_ process: ChromiumProcess, timeout: Duration) async throws -> (Int, String) {
        let file = process.profileDirectory + "/DevToolsActivePort"
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: file, encoding: .utf8) {
                let lines = text.split(separator: "\n").map(String.init)
                if lines.count >= 2, let port = Int(lines[0]) { return (port, lines[1]) }
            }
            if process.hasExited {
                throw IngestError("chromium exited during start-up: \(process.logTail())",
                                  fix: "run chromium --headless=new by hand to see why; as root it needs --no-sandbox (added automatically)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw IngestError("chromium did not open its DevTools port within \(timeout): \(process.logTail())",
                          fix: "check that chromium runs on this machine (apt-get install -y chromium)")
    }

    /// The process id of chromium's main process (its process group id too).
    public var processId: Int32 { process.pid }

    /// The browser's version string (`Chrome/…`).
    public func version() async throws -> String {
        try await connection.send("Browser.getVersion")["product"]?.string ?? "unknown"
    }

    /// Opens a new tab, attached with its own DevTools session, with page and network events on.
    public func newPage() async throws -> BrowserPage {
        let target = try await connection.send("Target.createTarget", ["url": .string("about:blank")])
        guard let targetId = target["targetId"]?.string else { throw IngestError("chromium created no tab") }
        let attached = try await connection.send("Target.attachToTarget", ["targetId": .string(targetId), "flatten": .bool(true)])
        guard let session = attached["sessionId"]?.string else { throw IngestError("chromium gave the new tab no session") }
        let page = BrowserPage(browser: self, targetId: targetId, session: session)
        try await page.enableEvents()
        return page
    }

    /// Lets pages download files into `directory` (created if needed), named by the download's guid.
    public func allowDownloads(into directory: String) async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = try await connection.send("Browser.setDownloadBehavior", [
            "behavior": .string("allowAndName"), "downloadPath": .string(directory), "eventsEnabled": .bool(true),
        ])
        downloads.withLock { $0.directory = directory }
    }

    /// Runs `trigger` (a click on an export button, say) and returns the file it downloads.
    public func download(timeout: Duration? = nil, _ trigger: () async throws -> Void) async throws -> DownloadedFile {
        let before = downloads.withLock { state -> Int in
            if state.directory == nil { state.directory = (process.profileDirectory as NSString).deletingLastPathComponent + "/downloads" }
            return state.completed.count + state.failed.count
        }
        if let directory = downloads.withLock({ $0.directory }), !FileManager.default.fileExists(atPath: directory) {
            try await allowDownloads(into: directory)
        }
        try await trigger()
        let limit = timeout ?? options.timeout
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let outcome = downloads.withLock { state -> Result<DownloadedFile, IngestError>? in
                if state.failed.count + state.completed.count > before {
                    if let file = state.completed.last { return .success(file) }
                    return .failure(IngestError("the download of \(state.failed.last ?? "a file") was cancelled by the browser"))
                }
                return nil
            }
            switch outcome {
            case .success(let file): return file
            case .failure(let error): throw error
            case nil: try await Task.sleep(for: .milliseconds(50))
            }
        }
        throw IngestError("no download finished within \(limit)", fix: "check that the trigger starts a download (a link with download, or an attachment response)")
    }

    private func handleBrowserEvent(_ event: CDPEvent) {
        switch event.method {
        case "Browser.downloadWillBegin":
            guard let guid = event.params["guid"]?.string else { return }
            let url = event.params["url"]?.string ?? ""
            let name = event.params["suggestedFilename"]?.string ?? guid
            downloads.withLock { $0.started[guid] = (url, name) }
        case "Browser.downloadProgress":
            guard let guid = event.params["guid"]?.string, let state = event.params["state"]?.string else { return }
            downloads.withLock { downloads in
                guard let started = downloads.started[guid], let directory = downloads.directory else { return }
                if state == "completed" {
                    let path = directory + "/" + guid
                    let data = FileManager.default.contents(atPath: path) ?? Data()
                    downloads.completed.append(DownloadedFile(url: started.url, suggestedFilename: started.name, path: path, data: data))
                } else if state == "canceled" {
                    downloads.failed.append(started.url)
                }
            }
        default:
            break
        }
    }

    /// Ends chromium (the whole process group) and removes its temporary profile. Safe to call twice.
    public func close() async {
        await connection.close()
        await process.terminate()
    }
}

/// A file the browser downloaded.
public struct DownloadedFile: Sendable {
    public var url: String
    public var suggestedFilename: String
    /// Where the browser wrote it.
    public var path: String
    public var data: Data

    /// The file as an `export_download` artifact.
    public func artifact(id: String, contentType: String = "text/csv") -> RawArtifact {
        RawArtifact(artifactId: id, bytes: data, url: url, contentType: contentType, extractionMethod: .exportDownload)
    }
}
