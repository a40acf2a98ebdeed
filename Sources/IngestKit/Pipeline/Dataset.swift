import IngestCommon

/// One dataset of a source, as a value: its silver table (columns bound to the fields of a row
/// type), its extractor, its parse function and its watermark.
///
/// The row type ties them together: a column whose field is missing, a parse function that
/// returns another row type, or a watermark on a field of another type does not compile.
/// Declare it in the source's type with `dataset(_:columns:extractor:parse:…)`, which takes the
/// source's name (and schema) from the source:
///
/// ```swift
/// extension MySourceSource {
///     public static let orders = dataset("orders",
///         columns: [
///             Column("entity_id", \OrderRow.entityId, primaryKey: true),
///             Column("status", \.status, index: true),
///         ],                                   // + bronze_object_path, checksum_sha256, ingested_at
///         extractor: OrdersExtractor(),
///         parse: .rows(parseOrders),           // or .items, .records(at:), .parser
///         watermark: .latest(\.updatedAt))
/// }
/// ```
///
/// The other properties are plain values too (`var`), so a variant is a copy:
/// `var strict = MySourceSource.orders; strict.gate = SuccessGate(maxRejectedRatio: 0)`.
public struct Dataset: Sendable {
    /// The source's name (its schema unless `schema` says otherwise).
    public let source: String
    /// The dataset's name: `source.name` is what users type.
    public let name: String
    /// The warehouse schema of the silver table (default: the source's name).
    public let schema: String
    /// The silver table's name (default: the dataset's name).
    public let table: String
    /// Extracts raw artifacts into bronze.
    public var extractor: any Extractor
    /// Default lookback for incremental extraction in days (`--lookback-days` overrides it); default 7.
    public var lookbackDays: Int
    /// What a run must achieve to succeed.
    public var gate: SuccessGate
    /// What the dataset is, for people: the generated DAG's documentation (`doc_md`).
    public var description: String
    /// How a scheduler runs it: schedule, retries, timeout, pool (`ingestctl airflow dag`).
    public var orchestration: Orchestration
    /// How fresh the silver table must be (`ingestctl freshness`); default: no thresholds.
    public var freshness: DatasetFreshness
    /// What to do with NUL characters (U+0000) in text: remove them and count the rows as
    /// `sanitized` (the default), or refuse the row.
    public var nulCharacters: NULCharacterPolicy
    /// What a run does when keys the item type reads vanished from every item and loading it would set stored
    /// values to NULL: fail without loading (the default), or load and say how many values were set to NULL.
    public var vanishedKeys: VanishedKeyPolicy

    private let makeSchema: @Sendable () throws -> TableSchema
    private let makeParse: @Sendable (NULCharacterPolicy) throws -> @Sendable (StoredArtifact) throws -> ParsedArtifact

    /// A dataset of source `source`. `columns` are the row's data columns; `bronze_object_path`,
    /// `checksum_sha256` and `ingested_at` are added after them unless the list declares
    /// `.bronzeObjectPath()`, `.checksum()` or `.ingestedAt()` itself (to rename or place one).
    /// Nothing is checked here: `tableSchema()` refuses a config that cannot work (no primary
    /// key, a name that is not snake_case, a duplicate column) before any store is touched.
    public init<Row: Sendable>(
        source: String,
        _ name: String,
        schema: String? = nil,
        table: String? = nil,
        columns: [Column<Row>],
        extractor: any Extractor,
        parse: ParseFunction<Row>,
        watermark: RowWatermark<Row>? = nil,
        lookbackDays: Int = 7,
        gate: SuccessGate = SuccessGate(),
        description: String? = nil,
        orchestration: Orchestration = Orchestration(),
        freshness: DatasetFreshness = DatasetFreshness(),
        nulCharacters: NULCharacterPolicy = .strip,
        vanishedKeys: VanishedKeyPolicy = .fail
    ) {
        self.init(source: source, name: name, schema: schema ?? source, table: table ?? name, label: "dataset \(source).\(name)",
                  columns: Column.withPlatformColumns(columns), extractor: extractor, parse: parse, watermark: watermark,
                  lookbackDays: lookbackDays, gate: gate, description: description, orchestration: orchestration,
                  freshness: freshness, nulCharacters: nulCharacters, vanishedKeys: vanishedKeys)
    }

    /// A dataset whose table is a `SourceTableConfig` type (its columns as declared, platform columns included).
    public init<Table: SourceTableConfig>(
        table config: Table.Type,
        extractor: any Extractor,
        parse: ParseFunction<Table.Row>,
        watermark: RowWatermark<Table.Row>? = nil,
        lookbackDays: Int = 7,
        gate: SuccessGate = SuccessGate(),
        description: String? = nil,
        orchestration: Orchestration = Orchestration(),
        freshness: DatasetFreshness = DatasetFreshness(),
        nulCharacters: NULCharacterPolicy = .strip,
        vanishedKeys: VanishedKeyPolicy = .fail
    ) {
        self.init(source: config.sourceName, name: config.dataset, schema: config.schema, table: config.table,
                  label: "SourceTableConfig \(config) (\(config.sourceName).\(config.dataset))",
                  columns: config.columns, extractor: extractor, parse: parse, watermark: watermark,
                  lookbackDays: lookbackDays, gate: gate, description: description, orchestration: orchestration,
                  freshness: freshness, nulCharacters: nulCharacters, vanishedKeys: vanishedKeys)
    }

    private init<Row: Sendable>(
        source: String, name: String, schema: String, table: String, label: String, columns: [Column<Row>],
        extractor: any Extractor, parse: ParseFunction<Row>, watermark: RowWatermark<Row>?, lookbackDays: Int,
        gate: SuccessGate, description: String?, orchestration: Orchestration, freshness: DatasetFreshness,
        nulCharacters: NULCharacterPolicy, vanishedKeys: VanishedKeyPolicy = .fail
    ) {
        self.source = source
        self.name = name
        self.schema = schema
        self.table = table
        self.extractor = extractor
        self.lookbackDays = lookbackDays
        self.gate = gate
        self.description = description ?? "\(source).\(name)"
        self.orchestration = orchestration
        self.freshness = freshness
        self.nulCharacters = nulCharacters
        self.vanishedKeys = vanishedKeys
        let makeSchema: @Sendable () throws -> TableSchema = {
            try TableSchema(validating: columns, label: label, sourceName: source, dataset: name, schema: schema, table: table)
        }
        self.makeSchema = makeSchema
        let items = parse.items
        let mark = watermark?.read
        self.makeParse = { nulCharacters in
            let encoder = try RowEncoder(schema: makeSchema(), columns: columns, nulCharacters: nulCharacters)
            return { artifact in
                let drift = SchemaDrift()
                let parsed = try SchemaDrift.$current.withValue(drift) { try items(artifact) }
                var latest: Watermark?
                var sanitized = 0
                var values: [[SQLValue]] = []
                var rejects: [RejectedItem] = []
                values.reserveCapacity(parsed.count)
                for (position, item) in parsed.enumerated() {
                    switch item {
                    case .rejected(let reason, let raw):
                        rejects.append(RejectedItem(artifactId: artifact.artifactId, item: position + 1,
                                                    reason: "artifact \(artifact.artifactId), item \(position + 1) was rejected: \(reason)", raw: raw))
                    case .row(let row, let raw):
                        do {
                            let encoded = try encoder.encode(row, bronzeKey: artifact.bronzeKey)
                            values.append(encoded.values)
                            if encoded.sanitized { sanitized += 1 }
                        } catch var refusal as RowRefusal {
                            refusal.artifactId = artifact.artifactId
                            refusal.item = position + 1
                            refusal.key = encoder.keyDescription(row)
                            rejects.append(RejectedItem(artifactId: artifact.artifactId, item: position + 1, reason: refusal.description, raw: raw))
                            continue
                        }
                        if let value = mark?(row), latest.map({ value > $0 }) ?? true { latest = value }
                    }
                }
                var result = ParsedArtifact(rows: values, watermark: latest, sanitized: sanitized, rejects: rejects, drift: drift.collected)
                result.absences = drift.collectedAbsences
                return result
            }
        }
    }

    /// `source.dataset`.
    public var qualifiedName: String { "\(source).\(name)" }

    /// The validated table; throws when the config cannot work.
    public func tableSchema() throws -> TableSchema { try makeSchema() }

    /// A parse function for one run: typed rows, encoded with their checksum.
    public func makeParser() throws -> @Sendable (StoredArtifact) throws -> ParsedArtifact { try makeParse(nulCharacters) }
}

/// How a dataset turns one stored artifact into rows of its table.
///
/// - `.rows { artifact in … }`: every row of the artifact (throw `ParseError` for one it cannot read);
/// - `.items { artifact in … }`: item by item, an item it cannot map `.rejected(reason:raw:)` with its JSON;
/// - `.records(at: "results")`: the row type is `Decodable` and each JSON record *is* a row
///   (one declaration serves both); a record of the wrong shape is rejected with its JSON;
/// - `.parser(MyParser())`: a `Parser` value.
public struct ParseFunction<Row: Sendable>: Sendable {
    let items: @Sendable (StoredArtifact) throws -> [ParsedItem<Row>]

    /// Item by item; the load keeps rejected items in `<schema>.<table>__rejects` and loads the rest.
    public static func items(_ parse: @escaping @Sendable (StoredArtifact) throws -> [ParsedItem<Row>]) -> ParseFunction {
        ParseFunction(items: parse)
    }

    /// Every row of the artifact; anything thrown fails the artifact.
    public static func rows(_ parse: @escaping @Sendable (StoredArtifact) throws -> [Row]) -> ParseFunction {
        ParseFunction { artifact in try parse(artifact).map { .row($0, raw: nil) } }
    }

    /// A `Parser` (its `parseItems(_:)`).
    public static func parser<P: Parser>(_ parser: P) -> ParseFunction where P.Row == Row {
        ParseFunction { artifact in try parser.parseItems(artifact) }
    }

    /// Rows parsed item by item (`items`), as a parser's `parse(_:)` would: the first rejected item throws.
    public func rows(_ artifact: StoredArtifact) throws -> [Row] {
        try ParsedItem.rows(items(artifact), artifactId: artifact.artifactId)
    }

    /// The artifact item by item.
    public func parseItems(_ artifact: StoredArtifact) throws -> [ParsedItem<Row>] {
        try items(artifact)
    }
}

extension ParseFunction where Row: Decodable {
    /// Each record of a JSON page decoded as a row: the records are the array at `path` (keys
    /// separated by dots, e.g. `results` or `data.items`), or the body itself when `path` is `nil`.
    /// A missing or null array is an empty page. A record of the wrong shape (a missing key, a
    /// string where a number belongs, an invalid date) is rejected with its JSON; keys the row
    /// never reads are reported as schema drift.
    public static func records(at path: String?) -> ParseFunction {
        let keys = path.map { $0.split(separator: ".").map(String.init) } ?? []
        return ParseFunction { artifact in
            let page = try RecordsPath.$keys.withValue(keys) { try artifact.decodeJSON(RecordsPage<Row>.self) }
            return page.records.map { entry in
                guard let row = entry.value else { return .rejected(reason: entry.failure ?? "not a record", raw: entry.raw) }
                return .row(row, raw: entry.raw)
            }
        }
    }
}

/// Where `RecordsPage` finds the records while it decodes (a generic type cannot hold it).
enum RecordsPath {
    @TaskLocal static var keys: [String] = []
}

/// The records of a page at `RecordsPath.keys`.
struct RecordsPage<Record: Decodable>: Decodable {
    var records: [JSONItem<Record>]

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let keys = RecordsPath.keys
        guard let last = keys.last else {
            records = try [JSONItem<Record>](from: decoder)
            return
        }
        var container = try decoder.container(keyedBy: Key.self)
        for key in keys.dropLast() {
            guard container.contains(Key(stringValue: key)), try !container.decodeNil(forKey: Key(stringValue: key)) else {
                records = []
                return
            }
            container = try container.nestedContainer(keyedBy: Key.self, forKey: Key(stringValue: key))
        }
        records = try container.decodeIfPresent([JSONItem<Record>].self, forKey: Key(stringValue: last)) ?? []
    }
}

extension Column {
    /// `columns` with `bronze_object_path`, `checksum_sha256` and `ingested_at` appended, each
    /// unless a column of that role is declared already.
    static func withPlatformColumns(_ columns: [Column]) -> [Column] {
        var all = columns
        func has(_ role: (Role) -> Bool) -> Bool { columns.contains { role($0.role) } }
        if !has({ if case .bronzeObjectPath = $0 { true } else { false } }) { all.append(.bronzeObjectPath()) }
        if !has({ if case .checksum = $0 { true } else { false } }) { all.append(.checksum()) }
        if !has({ if case .ingestedAt = $0 { true } else { false } }) { all.append(.ingestedAt()) }
        return all
    }
}

/// The rows of one artifact, ready for the loader.
public struct ParsedArtifact: Sendable {
    public var rows: [[SQLValue]]
    /// The largest watermark of the artifact's rows.
    public var watermark: Watermark?
    /// Rows whose values had NUL characters removed.
    public var sanitized: Int = 0
    /// Items that were not loaded, in item order (kept in `<schema>.<table>__rejects`).
    public var rejects: [RejectedItem] = []
    /// Keys the items carried that the item type never read (parsers decoding with `JSONItem`).
    public var drift: [SchemaDrift.Key] = []
    /// The items decoded with `JSONItem` and the keys their type read that they lacked (vanished keys).
    package var absences = SchemaDrift.Absences()
}

/// An item of an artifact that was not loaded: the parser could not map it, or the warehouse
/// could not store one of its values (`RowRefusal`).
public struct RejectedItem: Sendable, Hashable {
    public var artifactId: String
    /// The item's position in the artifact, from 1.
    public var item: Int
    /// A sentence naming the artifact, the item (and its key or column when known) and what was wrong.
    public var reason: String
    /// The item's JSON as the source sent it; `nil` when the parser does not give it.
    public var raw: String?
}

// MARK: - The protocol form (deprecated)

/// The earlier form of a dataset: a type conforming to a protocol, wrapped in `AnyDataset`.
@available(*, deprecated, message: "declare a Dataset value: dataset(\"name\", columns: …, extractor: …, parse: …) in your source (Docs/AddingASource.md §5)")
public protocol DatasetDefinition: Sendable {
    associatedtype Table: SourceTableConfig
    associatedtype DatasetExtractor: Extractor
    associatedtype DatasetParser: Parser where DatasetParser.Row == Table.Row

    var extractor: DatasetExtractor { get }
    var parser: DatasetParser { get }
    var lookbackDays: Int { get }
    var gate: SuccessGate { get }
    var description: String { get }
    var orchestration: Orchestration { get }
    var freshness: DatasetFreshness { get }
    /// The watermark a row advances the dataset to, compared as text.
    func watermark(of row: Table.Row) -> String?
    var nulCharacters: NULCharacterPolicy { get }
}

@available(*, deprecated)
extension DatasetDefinition {
    public var lookbackDays: Int { 7 }
    public var gate: SuccessGate { SuccessGate() }
    public var description: String { "\(Table.sourceName).\(Table.dataset)" }
    public var orchestration: Orchestration { Orchestration() }
    public var freshness: DatasetFreshness { DatasetFreshness() }
    public func watermark(of row: Table.Row) -> String? { nil }
    public var nulCharacters: NULCharacterPolicy { .strip }
}

extension Dataset {
    /// A dataset of the protocol form.
    @available(*, deprecated, message: "declare a Dataset value: dataset(\"name\", columns: …, extractor: …, parse: …)")
    public init<D: DatasetDefinition>(_ dataset: D) {
        self.init(table: D.Table.self, extractor: dataset.extractor, parse: .parser(dataset.parser),
                  watermark: RowWatermark { row in dataset.watermark(of: row).map { Watermark(text: $0) } },
                  lookbackDays: dataset.lookbackDays, gate: dataset.gate, description: dataset.description,
                  orchestration: dataset.orchestration, freshness: dataset.freshness, nulCharacters: dataset.nulCharacters)
    }
}

/// The type-erased dataset of the protocol form; a `Dataset` value is what it erased to.
@available(*, deprecated, renamed: "Dataset")
public typealias AnyDataset = Dataset
