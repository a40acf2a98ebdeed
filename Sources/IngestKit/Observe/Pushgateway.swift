import Foundation
import IngestCommon

/// Pushes a run's metrics to a Prometheus Pushgateway (`PUSHGATEWAY_URL`, e.g. `http://127.0.0.1:9091`).
///
/// The grouping key is `job` (``job``), `source` and `dataset`: a PUT replaces the
/// dataset's group, so the gateway always shows each dataset's latest run.
public struct Pushgateway: Sendable {
    public static let job = "ingestkit"
    public var baseURL: String

    public init(baseURL: String) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    /// `PUSHGATEWAY_URL` from the settings; `nil` when unset or empty.
    public init?(_ settings: Settings) {
        guard let url = settings["PUSHGATEWAY_URL"], !url.isEmpty else { return nil }
        self.init(baseURL: url)
    }

    /// `/metrics/job/<job>/source/<source>/dataset/<dataset>` (values path-escaped).
    public func groupURL(source: String, dataset: String) -> String {
        func escaped(_ value: String) -> String {
            value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_."))) ?? value
        }
        return "\(baseURL)/metrics/job/\(escaped(Self.job))/source/\(escaped(source))/dataset/\(escaped(dataset))"
    }

    /// Replaces the dataset's group with `text` (Prometheus text format).
    public func push(_ text: String, source: String, dataset: String) async throws {
        try await ObserverHTTP.send(.PUT, groupURL(source: source, dataset: dataset),
                                    contentType: "text/plain; version=0.0.4; charset=utf-8", body: Data(text.utf8),
                                    what: "push to the Pushgateway (PUSHGATEWAY_URL)")
    }
}
