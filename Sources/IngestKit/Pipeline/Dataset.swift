import IngestCommon

/// One dataset of a source: its silver table, its extractor and its parser.
///
/// The compiler checks that the parser's rows are the table's rows. Optional
/// hooks say how many days an incremental extract looks back, what the run's
/// watermark is, and what the success gate demands.
public protocol Dataset: Sendable {
    associatedtype Table: SourceTableConfig
    associatedtype DatasetExtractor: Extractor
    associatedtype DatasetParser: Parser where DatasetParser.Row == Table.Row

    var extractor: DatasetExtractor { get }
    var parser: DatasetParser { get }
    /// Default lookback for incremental extraction (`--lookback-days` overrides it).
    var lookbackDays: Int { get }
    var gate: SuccessGate { get }
    /// What the dataset is, for people: the generated DAG's documentation (`doc_md`).
    var description: String { get }
    /// How a scheduler runs it: schedule, retries, timeout, pool (`ingestctl airflow dag`).
    var orchestration: Orchestration { get }
    /// How fresh the silver table must be (`ingestctl freshness`); default: no thresholds.
    var freshness: DatasetFreshness { get }
    /// The watermark a row advances the dataset to (the run keeps the largest); `nil` for none.
    func watermark(of row: Table.Row) -> String?
    /// What to do with NUL characters (U+0000) in text: remove them and count the rows as
    /// `sanitized` (the default), or refuse the row.
    var nulCharacters: NULCharacterPolicy { get }
}

extension Dataset {
    public var lookbackDays: Int { 7 }
    public var gate: SuccessGate { SuccessGate() }
    public var description: String { "\(Table.sourceName).\(Table.dataset)" }
    public var orchestration: Orchestration { Orchestration() }
    public var freshness: DatasetFreshness { DatasetFreshness() }
    public func watermark(of row: Table.Row) -> String? { nil }
    public var nulCharacters: NULCharacterPolicy { .strip }
}

/// A dataset with its types erased, as the registry and the pipeline hold it.
public struct AnyDataset: Sendable {
    public let source: String
    public let name: String
    public let lookbackDays: Int
    public let gate: SuccessGate
    public let description: String
    public let orchestration: Orchestration
    public let freshness: DatasetFreshness
    public let extractor: any Extractor
    private let makeSchema: @Sendable () throws -> TableSchema
    private let makeParse: @Sendable () throws -> @Sendable (StoredArtifact) throws -> ParsedArtifact

    public init<D: Dataset>(_ dataset: D) {
        self.source = D.Table.sourceName
        self.name = D.Table.dataset
        self.lookbackDays = dataset.lookbackDays
        self.gate = dataset.gate
        self.description = dataset.description
        self.orchestration = dataset.orchestration
        self.freshness = dataset.freshness
        self.extractor = dataset.extractor
        self.makeSchema = { try D.Table.tableSchema() }
        self.makeParse = {
            let encoder = try RowEncoder<D.Table>(nulCharacters: dataset.nulCharacters)
            let parser = dataset.parser
            return { artifact in
                let rows = try parser.parse(artifact)
                var watermark: String?
                var sanitized = 0
                var values: [[SQLValue]] = []
                values.reserveCapacity(rows.count)
                for (position, row) in rows.enumerated() {
                    do {
                        let encoded = try encoder.encode(row, bronzeKey: artifact.bronzeKey)
                        values.append(encoded.values)
                        if encoded.sanitized { sanitized += 1 }
                    } catch var refusal as RowRefusal {
                        refusal.artifactId = artifact.artifactId
                        refusal.item = position + 1
                        refusal.key = encoder.keyDescription(row)
                        throw refusal
                    }
                    if let mark = dataset.watermark(of: row), mark > (watermark ?? "") { watermark = mark }
                }
                return ParsedArtifact(rows: values, watermark: watermark, sanitized: sanitized)
            }
        }
    }

    /// `source.dataset`.
    public var qualifiedName: String { "\(source).\(name)" }

    /// The validated table; throws when the config cannot work.
    public func tableSchema() throws -> TableSchema { try makeSchema() }

    /// A parse function for one run: typed rows, encoded with their checksum.
    public func makeParser() throws -> @Sendable (StoredArtifact) throws -> ParsedArtifact { try makeParse() }
}

/// The rows of one artifact, ready for the loader.
public struct ParsedArtifact: Sendable {
    public var rows: [[SQLValue]]
    public var watermark: String?
    /// Rows whose values had NUL characters removed.
    public var sanitized: Int = 0
}
