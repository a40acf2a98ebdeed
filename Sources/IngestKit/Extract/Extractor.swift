import Foundation
import IngestCommon
import Logging

/// Pulls raw bytes from a source and hands them to bronze, one artifact at a time.
///
/// An extractor never parses or changes what it receives: bronze keeps the
/// bytes exactly, so any run can be parsed again later.
public protocol Extractor: Sendable {
    func extract(_ context: ExtractionContext, into sink: ArtifactSink) async throws
}

/// What an extractor knows about its run.
public struct ExtractionContext: Sendable {
    public var runId: String
    public var runTime: Date
    /// How many days back an incremental source should re-read.
    public var lookbackDays: Int
    /// The watermark of the last successful run of this dataset, if any.
    public var lastWatermark: String?
    /// Configuration; read secrets with `settings.secret(_:)` so they are redacted everywhere.
    public var settings: Settings
    public var http: HTTPFetcher
    public var logger: Logger
    /// Prints a line for the person running the pipeline.
    public var say: @Sendable (String) -> Void
    /// The interval a scheduler gave this run (`--window-start`/`--window-end`); it replaces
    /// the lookback and the watermark. `nil`: the extractor decides (lookback, watermark).
    public var window: ExtractionWindow?
    /// A sample, not a run (`ingestctl doctor`): only the first artifact is wanted. An extractor may stop
    /// after storing it (the REST toolkit does, after checking the page); the sink refuses any further one.
    public var firstArtifactOnly = false

    public init(runId: String, runTime: Date, lookbackDays: Int, lastWatermark: String?, settings: Settings,
                http: HTTPFetcher, logger: Logger, say: @escaping @Sendable (String) -> Void) {
        self.runId = runId
        self.runTime = runTime
        self.lookbackDays = lookbackDays
        self.lastWatermark = lastWatermark
        self.settings = settings
        self.http = http
        self.logger = logger
        self.say = say
    }
}

/// A half-open interval `[start, end)` of source time that one run extracts.
public struct ExtractionWindow: Sendable, Hashable {
    public var start: Date
    public var end: Date

    /// Throws unless `start` is before `end`.
    public init(start: Date, end: Date) throws {
        guard start < end else {
            throw IngestError("the window starts at \(Self.iso(start)), which is not before its end \(Self.iso(end))",
                              fix: "give --window-start earlier than --window-end (Airflow passes data_interval_start and data_interval_end)")
        }
        self.start = start
        self.end = end
    }

    /// Parses `--window-start`/`--window-end` values: ISO-8601 timestamps with a zone, or dates (midnight UTC).
    public static func parse(start: String?, end: String?) throws -> ExtractionWindow? {
        switch (start, end) {
        case (nil, nil): return nil
        case (let start?, let end?):
            return try ExtractionWindow(start: try date(start, flag: "--window-start"), end: try date(end, flag: "--window-end"))
        default:
            throw IngestError("a window needs both --window-start and --window-end", fix: "give both, or neither to use the lookback and watermark")
        }
    }

    static func date(_ text: String, flag: String) throws -> Date {
        guard let date = IncrementalWindow.date(text) else {
            throw IngestError("\(flag) \"\(text)\" is not an ISO-8601 timestamp", fix: "use e.g. 2026-11-29T02:00:00+00:00 or 2026-11-29")
        }
        return date
    }

    /// `2026-11-29T02:00:00Z`
    public static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

/// Receives artifacts from an extractor and stores them in bronze as they arrive.
public struct ArtifactSink: Sendable {
    private let store: @Sendable (RawArtifact) async throws -> Void

    public init(_ store: @escaping @Sendable (RawArtifact) async throws -> Void) {
        self.store = store
    }

    public func store(_ artifact: RawArtifact) async throws {
        try await store(artifact)
    }
}
