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
