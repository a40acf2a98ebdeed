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

    private func add(_ text: String) {
        state.withLock { state in
            guard !state.notices.contains(text) else { return }
            if state.notices.count < Self.maxNotices { state.notices.append(text) } else { state.dropped += 1 }
        }
    }

    /// The notices, in the order they came; with `… and N more` when there were more than `maxNotices`.
    public var notices: [String] {
        state.withLock { $0.dropped > 0 ? $0.notices + ["… and \($0.dropped) more notice(s)"] : $0.notices }
    }

    public var stopReason: String? { state.withLock { $0.stopReason } }
}

/// The notices the JSON reader gives.
enum JSONNotices {
    static func loneSurrogates(_ scan: JSONScanner.Result) {
        guard scan.loneSurrogates > 0, RunNotes.current != nil else { return }
        RunNotes.notice("\(scan.loneSurrogates) lone surrogate escape(s) read as U+FFFD (the first at byte \(scan.firstLoneSurrogate ?? 0))")
    }
}
