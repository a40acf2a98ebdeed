import Synchronization

/// What a run tells its user besides success or failure: notices (input read
/// leniently, e.g. a lone surrogate read as U+FFFD) and why its extract stopped.
///
/// The pipeline sets `RunNotes.current` for the tasks of one run and copies
/// what was noted into the run report (`notices`, `stop_reason`). Code below
/// it notes through the static functions; with no current notes they do nothing.
public final class RunNotes: Sendable {
    /// The notes of the run this task belongs to.
    @TaskLocal public static var current: RunNotes?
    /// What the notices are about, e.g. `artifact page_00003`; prefixed to each notice.
    @TaskLocal public static var subject: String?

    /// Notices kept per run; later ones are counted, not kept.
    public static let maxNotices = 100

    private struct State {
        var notices: [String] = []
        var dropped = 0
        var stopReason: String?
        /// Retries by cause, in the order the causes first came.
        var retries: [(cause: String, count: Int)] = []
        var totalNotReached: String?
        var declaredTotal: Int?
    }

    private let state = Mutex(State())

    public init() {}

    /// Notes something the user should know (secrets masked); the same text twice is kept once.
    public static func notice(_ text: String) {
        current?.add(Redactor.shared.redact(subject.map { "\($0): \(text)" } ?? text))
    }

    /// Notes why the extract stopped reading pages (secrets masked; the last reason wins).
    public static func stopped(_ reason: String) {
        let reason = Redactor.shared.redact(reason)
        current?.state.withLock { $0.stopReason = reason }
    }

    /// Counts one retried request under its cause (`503`, `timeout`, …); the notices end with
    /// `3 requests retried: 503 ×2, 502 ×1`.
    package static func retried(_ cause: String) {
        current?.state.withLock { state in
            if let index = state.retries.firstIndex(where: { $0.cause == cause }) {
                state.retries[index].count += 1
            } else {
                state.retries.append((cause, 1))
            }
        }
    }

    /// Notes that the run read fewer records than the API's total (allowed by the dataset, so a notice
    /// and the gate's `failOnShortTotal` decide); `text` names the total, where it was and what was read.
    package static func totalNotReached(_ text: String) {
        let text = Redactor.shared.redact(text)
        current?.state.withLock { $0.totalNotReached = text }
        notice(text)
    }

    /// Notes the number of records the source said it holds for the run (an API's total, reached).
    package static func declaredTotal(_ total: Int) {
        current?.state.withLock { $0.declaredTotal = total }
    }

    /// The records the source said it holds for the run, when it said so and the run read them all.
    public var declaredTotal: Int? { state.withLock { $0.declaredTotal } }

    private func add(_ text: String) {
        state.withLock { state in
            guard !state.notices.contains(text) else { return }
            if state.notices.count < Self.maxNotices { state.notices.append(text) } else { state.dropped += 1 }
        }
    }

    /// The notices, in the order they came; with `… and N more` when there were more than `maxNotices`,
    /// and last the retried requests by cause, most frequent first (`3 requests retried: 503 ×2, 502 ×1`).
    public var notices: [String] {
        state.withLock { state in
            var notices = state.dropped > 0 ? state.notices + ["… and \(state.dropped) more notice(s)"] : state.notices
            if !state.retries.isEmpty {
                let ordered = state.retries.enumerated().sorted { ($0.element.count, -$0.offset) > ($1.element.count, -$1.offset) }
                let total = state.retries.reduce(0) { $0 + $1.count }
                notices.append("\(total) \(total == 1 ? "request" : "requests") retried: "
                               + ordered.map { "\($0.element.cause) ×\($0.element.count)" }.joined(separator: ", "))
            }
            return notices
        }
    }

    public var stopReason: String? { state.withLock { $0.stopReason } }

    /// What `totalNotReached` noted: the API's total that the run did not reach (allowed by the dataset).
    package var totalNotReached: String? { state.withLock { $0.totalNotReached } }
}

/// The notices the JSON reader gives.
enum JSONNotices {
    static func loneSurrogates(_ scan: JSONScanner.Result) {
        guard scan.loneSurrogates > 0, RunNotes.current != nil else { return }
        RunNotes.notice("\(scan.loneSurrogates) lone surrogate escape(s) read as U+FFFD (the first at byte \(scan.firstLoneSurrogate ?? 0))")
    }
}
