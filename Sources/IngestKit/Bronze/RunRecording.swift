import Foundation
import IngestCommon

/// A run's artifacts copied out of bronze into a folder of test fixtures, secrets removed
/// (`ingestctl record`, `Platform.record`); IngestTesting's `RecordedAPI` serves them back on loopback.
///
/// The folder holds `recording.json` (this value) and one file per artifact, named as in bronze:
/// `<artifact_id>.<ext>` (e.g. `page_00001.json`). `ingestctl record` writes it to
/// `Sources/Sources/<Name>/Tests/Fixtures/<dataset>/<run_id>/`.
///
/// What is removed: every value of the source's secret variables (and every secret the process
/// registered with `Redactor`), raw and percent-encoded, wherever it occurs (URLs and bodies);
/// the values of secret-looking query parameters (`api_key=`, `token=`, `signature=`, …) in URLs and
/// in text bodies; the values of secret-looking JSON fields (`"access_token": "…"`, `"password": …`).
/// Each becomes `***`. Bronze keeps no request headers, so none are copied.
public struct RunRecording: Sendable, Codable, Hashable {
    /// The file name of the recording's description in its folder.
    public static let fileName = "recording.json"

    public var source: String
    public var dataset: String
    /// The recorded run, and the ingest date it was stored under in bronze.
    public var runId: String
    public var ingestDate: String
    /// `scheme://host[:port]` of the artifacts' URLs when the run was recorded (nil when they had none).
    /// A server replaying the recording rewrites it to its own in the bodies (absolute `next` links).
    public var origin: String?
    /// The artifacts in the order the run stored them.
    public var artifacts: [Artifact]
    /// The recorded run's counts, from the run ledger: what a replay on an empty warehouse should parse.
    public var expected: Expected
    /// How many secret values were replaced by `***` (bodies and URLs together).
    public var redactions: Int

    /// One artifact: its file in the folder and where it came from.
    public struct Artifact: Sendable, Codable, Hashable {
        public var artifactId: String
        /// The file's name in the recording's folder.
        public var file: String
        /// The URL it was fetched from, secrets masked as `***`.
        public var url: String
        public var contentType: String
        public var extractionMethod: ExtractionMethod
        /// SHA-256 (hex) and size in bytes of the file as written (after redaction).
        public var sha256: String
        public var size: Int

        public init(artifactId: String, file: String, url: String, contentType: String, extractionMethod: ExtractionMethod, sha256: String, size: Int) {
            self.artifactId = artifactId
            self.file = file
            self.url = url
            self.contentType = contentType
            self.extractionMethod = extractionMethod
            self.sha256 = sha256
            self.size = size
        }

        enum CodingKeys: String, CodingKey {
            case file, url, sha256, size
            case artifactId = "artifact_id"
            case contentType = "content_type"
            case extractionMethod = "extraction_method"
        }
    }

    /// The recorded run's counts.
    public struct Expected: Sendable, Codable, Hashable {
        public var artifacts: Int
        public var parsed: Int
        public var rejected: Int
        public var inserted: Int

        public init(artifacts: Int, parsed: Int, rejected: Int, inserted: Int) {
            self.artifacts = artifacts
            self.parsed = parsed
            self.rejected = rejected
            self.inserted = inserted
        }
    }

    /// The folder the recording was read from (`read(folder:)`); not stored.
    public var folder: String?

    public init(source: String, dataset: String, runId: String, ingestDate: String, origin: String?, artifacts: [Artifact],
                expected: Expected, redactions: Int, folder: String? = nil) {
        self.source = source
        self.dataset = dataset
        self.runId = runId
        self.ingestDate = ingestDate
        self.origin = origin
        self.artifacts = artifacts
        self.expected = expected
        self.redactions = redactions
        self.folder = folder
    }

    enum CodingKeys: String, CodingKey {
        case source, dataset, origin, artifacts, expected, redactions
        case runId = "run_id"
        case ingestDate = "ingest_date"
    }

    /// `source.dataset`.
    public var qualifiedName: String { "\(source).\(dataset)" }

    /// Reads the recording in `folder` (its `recording.json`).
    /// - Throws: an `IngestError` naming the folder when it holds no readable recording.
    public static func read(folder: String) throws -> RunRecording {
        let path = (folder as NSString).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw IngestError("\(path) does not exist", fix: "record a run with `ingestctl record <source.dataset>`, or check the folder")
        }
        do {
            var recording = try JSONDecoder().decode(RunRecording.self, from: data)
            recording.folder = folder
            return recording
        } catch {
            throw IngestError("\(path) is not a recording: \(error)", fix: "record the run again with `ingestctl record`")
        }
    }

    /// The bytes of one artifact's file, checked against the recorded SHA-256.
    /// - Throws: an `IngestError` naming the file when it is missing or was changed.
    public func bytes(of artifact: Artifact) throws -> Data {
        let path = ((folder ?? ".") as NSString).appendingPathComponent(artifact.file)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw IngestError("the recording of run \(runId) lacks its artifact file \(path)", fix: "record the run again with `ingestctl record \(qualifiedName) --run \(runId)`")
        }
        guard Checksum.sha256Hex(data) == artifact.sha256 else {
            throw IngestError("\(path) does not match the SHA-256 in \(Self.fileName)",
                              fix: "record the run again, or update sha256 and size in \(Self.fileName) if the change is meant")
        }
        return data
    }
}

extension Platform {
    /// Copies a run's artifacts from bronze (local or S3) into `folder` as a `RunRecording`, secrets removed
    /// (what `ingestctl record` does).
    ///
    /// - Parameters:
    ///   - qualifiedName: `source.dataset`.
    ///   - runId: the run to copy; nil: the latest run of the dataset whose status is `succeeded`.
    ///   - folder: where to write; replaced as a whole when it exists (written beside it, then renamed).
    /// - Throws: an `IngestError` when the dataset is not registered, the ledger has no such (successful)
    ///   run, or bronze lacks the run's manifest.
    public func record(_ qualifiedName: String, in registry: SourceRegistry, runId: String? = nil, into folder: String) async throws -> RunRecording {
        let dataset = try registry.dataset(qualifiedName)
        let record: RunRecord = try await withWarehouse { warehouse in
            let ledger = try await RunLedger.open(warehouse)
            if let runId {
                guard let found = try await ledger.record(runId: runId, in: warehouse), found.source == dataset.source, found.dataset == dataset.name else {
                    throw IngestError("the run ledger has no run \(runId) of \(qualifiedName)", fix: "pick a run id from `ingestctl state \(qualifiedName)`")
                }
                return found
            }
            guard let latest = try await ledger.recent(source: dataset.source, dataset: dataset.name, limit: 1_000, in: warehouse)
                .first(where: { $0.status == .succeeded }) else {
                throw IngestError("\(qualifiedName) has no successful run to record", fix: "run it first (`ingestctl run \(qualifiedName)`), or name a run with --run")
            }
            return latest
        }
        let bronze = try bronze(for: dataset)
        let manifest = try await bronze.manifest(runId: record.runId, ingestDate: record.ingestDate)
        let source = registry.sources.first { $0.name == dataset.source }
        let secrets = (source?.variables ?? []).filter(\.isSecret).compactMap { settings[$0.name] }
        let redaction = FixtureRedaction(secrets: secrets)

        let parent = (folder as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent.isEmpty ? "." : parent, withIntermediateDirectories: true)
        let staging = folder + ".recording-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        do {
            var artifacts: [RunRecording.Artifact] = []
            var redactions = 0
            for provenance in manifest.artifacts {
                let (bytes, replaced) = redaction.redact(try await bronze.read(provenance), contentType: provenance.contentType)
                let (url, urlReplaced) = redaction.redactURL(provenance.url)
                redactions += replaced + urlReplaced
                let file = (provenance.key as NSString).lastPathComponent
                try bytes.write(to: URL(fileURLWithPath: (staging as NSString).appendingPathComponent(file)))
                artifacts.append(RunRecording.Artifact(artifactId: provenance.artifactId, file: file, url: url, contentType: provenance.contentType,
                                                       extractionMethod: provenance.extractionMethod, sha256: Checksum.sha256Hex(bytes), size: bytes.count))
            }
            let recording = RunRecording(
                source: dataset.source, dataset: dataset.name, runId: record.runId, ingestDate: manifest.ingestDate,
                origin: artifacts.lazy.compactMap { URLOrigin($0.url)?.description }.first, artifacts: artifacts,
                expected: .init(artifacts: artifacts.count, parsed: record.counts.parsed, rejected: record.counts.rejected, inserted: record.counts.inserted),
                redactions: redactions)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(recording).write(to: URL(fileURLWithPath: (staging as NSString).appendingPathComponent(RunRecording.fileName)))
            if FileManager.default.fileExists(atPath: folder) { try FileManager.default.removeItem(atPath: folder) }
            try FileManager.default.moveItem(atPath: staging, toPath: folder)
            var written = recording
            written.folder = folder
            return written
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }
}

/// Removes secrets from artifacts copied into test fixtures (`Platform.record`).
struct FixtureRedaction: Sendable {
    /// Raw and percent-encoded forms of each secret (at least 4 characters), longest first.
    let secrets: [String]

    init(secrets: [String]) {
        var forms = Set<String>()
        for secret in secrets where secret.count >= 4 {
            forms.insert(secret)
            if let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics) { forms.insert(encoded) }
        }
        self.secrets = forms.sorted { $0.count > $1.count }
    }

    static let mask = Redactor.mask
    /// `?name=value` / `&name=value` where the name looks secret (Redactor's words).
    static let queryParameter = try! NSRegularExpression(
        pattern: #"([?&][A-Za-z0-9_.\-\[\]]*(?:token|key|secret|password|passwd|signature|auth|credential|sig)[A-Za-z0-9_.\-\[\]]*=)([^&#"'\s<>\\]+)"#,
        options: [.caseInsensitive])
    /// `"name": "value"` where the JSON field's name looks secret.
    static let jsonField = try! NSRegularExpression(
        pattern: #"("[A-Za-z0-9_.\-]*(?:token|secret|password|passwd|api_?key|apikey|credential)[A-Za-z0-9_.\-]*"\s*:\s*")((?:[^"\\]|\\.)+)(")"#,
        options: [.caseInsensitive])

    /// The artifact's bytes with secrets masked, and how many were masked. Text (JSON, HTML, XML, CSV, text/*)
    /// also loses secret-looking query values and JSON fields; other bytes only the secrets' values.
    func redact(_ bytes: Data, contentType: String) -> (Data, Int) {
        var count = 0
        var out = bytes
        for secret in secrets {
            let (replaced, n) = Self.replace(Data(secret.utf8), in: out)
            out = replaced
            count += n
        }
        let mime = contentType.lowercased()
        guard mime.contains("json") || mime.contains("html") || mime.contains("xml") || mime.contains("csv") || mime.hasPrefix("text/"),
              let text = String(data: out, encoding: .utf8) else { return (out, count) }
        let (masked, n) = maskPatterns(text)
        return n == 0 ? (out, count) : (Data(masked.utf8), count + n)
    }

    /// A URL with secrets masked (values of secret-looking parameters too), and how many were masked.
    func redactURL(_ url: String) -> (String, Int) {
        var out = url
        var count = 0
        for secret in secrets where out.contains(secret) {
            count += out.components(separatedBy: secret).count - 1
            out = out.replacingOccurrences(of: secret, with: Self.mask)
        }
        let (masked, n) = maskPatterns(out, json: false)
        return (masked, count + n)
    }

    private func maskPatterns(_ text: String, json: Bool = true) -> (String, Int) {
        var out = text
        var count = 0
        for (pattern, template) in [(Self.queryParameter, "$1" + Self.mask)] + (json ? [(Self.jsonField, "$1" + Self.mask + "$3")] : []) {
            let range = NSRange(out.startIndex..., in: out)
            let found = pattern.matches(in: out, range: range).filter { match in
                Range(match.range(at: 2), in: out).map { out[$0] != Self.mask } ?? false
            }.count
            guard found > 0 else { continue }
            count += found
            out = pattern.stringByReplacingMatches(in: out, range: range, withTemplate: template)
        }
        return (out, count)
    }

    /// `data` with every occurrence of `needle` replaced by the mask.
    static func replace(_ needle: Data, in data: Data) -> (Data, Int) {
        guard !needle.isEmpty, data.count >= needle.count else { return (data, 0) }
        var out = Data()
        var count = 0
        var start = data.startIndex
        while let found = data.range(of: needle, in: start..<data.endIndex) {
            out.append(data[start..<found.lowerBound])
            out.append(contentsOf: Array(mask.utf8))
            start = found.upperBound
            count += 1
        }
        guard count > 0 else { return (data, 0) }
        out.append(data[start..<data.endIndex])
        return (out, count)
    }
}
