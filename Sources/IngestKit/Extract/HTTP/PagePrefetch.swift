import Foundation
import Synchronization

/// Pages fetched ahead of the one being stored, when their URLs are known in advance: offset or
/// page-number paging with a page size and a total (`PageStop.totalPath`), on a source that allows
/// more than one request at once (`HTTPLimits.maxConcurrentRequests`).
///
/// Up to `window` pages are in flight or waiting beyond the one the extractor takes next, so memory
/// holds at most `window` page bodies. The extractor still takes and stores pages one by one in page
/// order, so bronze and the manifest keep the order of a sequential run, and every stop rule (short
/// or empty page, total reached, maxPages) sees the same pages; pages fetched past a stop are dropped
/// unstored. A planned page that fails for good fails the run when its turn comes, after the pages
/// before it were stored, as it would sequentially.
final class PagePrefetch: Sendable {
    typealias Fetch = @Sendable (String) async throws -> HTTPFetcher.Response

    private struct State {
        var started = 0
        var tasks: [Int: Task<HTTPFetcher.Response, any Error>] = [:]
        var cancelled = false
    }

    /// The planned page URLs in page order.
    let urls: [String]
    let window: Int
    private let fetch: Fetch
    private let index: [String: Int]
    private let state = Mutex(State())

    /// Starts fetching the first `window` of `urls`.
    init(urls: [String], window: Int, fetch: @escaping Fetch) {
        self.urls = urls
        self.window = max(1, window)
        self.fetch = fetch
        var index: [String: Int] = [:]
        for (position, url) in urls.enumerated() where index[url] == nil { index[url] = position }
        self.index = index
        startUpTo(self.window)
    }

    /// The page at `url` when it was planned (waiting for it if it is still in flight), else nil:
    /// the caller fetches it itself. Taking page k starts the planned pages up to k + `window`.
    func take(_ url: String) async throws -> HTTPFetcher.Response? {
        guard let position = index[url] else { return nil }
        startUpTo(position + 1 + window)
        let task: Task<HTTPFetcher.Response, any Error>? = state.withLock { $0.tasks.removeValue(forKey: position) }
        guard let task else { return nil }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// Cancels every page still in flight or waiting (the extract ended or failed).
    func cancelAll() {
        let tasks = state.withLock { state -> [Task<HTTPFetcher.Response, any Error>] in
            state.cancelled = true
            defer { state.tasks = [:] }
            return Array(state.tasks.values)
        }
        for task in tasks { task.cancel() }
    }

    private func startUpTo(_ end: Int) {
        let fetch = self.fetch
        state.withLock { state in
            guard !state.cancelled else { return }
            while state.started < min(end, urls.count) {
                let url = urls[state.started]
                state.tasks[state.started] = Task { try await fetch(url) }
                state.started += 1
            }
        }
    }
}
