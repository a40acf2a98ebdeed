import IngestCommon

/// A source: a name, its datasets, and the variables it reads.
///
/// ```swift
/// public struct MySourceSource: Source {
///     public init() {}
///     public static let sourceName = "my_source"
///     public var datasets: [Dataset] { [Self.orders] }   // declared with dataset(…), see `Dataset`
/// }
/// ```
public protocol Source: Sendable {
    /// The source's name, which its datasets take (`dataset(…)`): their schema and the
    /// `my_source` of `my_source.orders`. Default: the type's name without `Source`, in
    /// snake_case (`CityPermitsSource` → `city_permits`).
    static var sourceName: String { get }
    /// The source's name; default `sourceName`.
    var name: String { get }
    var datasets: [Dataset] { get }
    /// The environment variables the source reads, for `ingestctl list` and `.env.example`.
    var variables: [SourceVariable] { get }
    /// The source's models (staging → intermediate → marts).
    var models: [any Model.Type] { get }
}

extension Source {
    public static var sourceName: String {
        var type = String(describing: Self.self)
        if let generic = type.firstIndex(of: "<") { type = String(type[..<generic]) }
        if type.hasSuffix("Source"), type != "Source" { type.removeLast("Source".count) }
        var name = ""
        for (i, character) in type.enumerated() {
            if character.isUppercase, i > 0 { name += "_" }
            name += character.lowercased()
        }
        return name
    }
    public var name: String { Self.sourceName }
    public var variables: [SourceVariable] { [] }
    public var models: [any Model.Type] { [] }

    /// A dataset of this source (`Dataset.init(source:…)` with the source's name): its table is
    /// `<sourceName>.<name>` unless `schema` or `table` say otherwise.
    public static func dataset<Row: Sendable>(
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
    ) -> Dataset {
        Dataset(source: sourceName, name, schema: schema, table: table, columns: columns, extractor: extractor, parse: parse,
                watermark: watermark, lookbackDays: lookbackDays, gate: gate, description: description,
                orchestration: orchestration, freshness: freshness, nulCharacters: nulCharacters,
                vanishedKeys: vanishedKeys)
    }
}

/// A documented configuration variable of a source.
public struct SourceVariable: Sendable, Hashable {
    /// When a run cannot do without the variable (`ingestctl doctor` checks it).
    public enum Requirement: Sendable, Hashable {
        /// The source runs without it (a default applies).
        case optional
        /// Every run needs it.
        case required
        /// Needed when the named variable is set (e.g. a token once a real API's base URL is given).
        case requiredWhenSet(String)
    }

    public var name: String
    public var purpose: String
    public var isSecret: Bool
    /// A sample value shown in `.env.example` (`# NAME=example`); empty for secrets and most others.
    public var example: String
    public var requirement: Requirement

    public init(_ name: String, _ purpose: String, secret: Bool = false, example: String = "", requirement: Requirement = .optional) {
        self.name = name
        self.purpose = purpose
        self.isSecret = secret
        self.example = example
        self.requirement = requirement
    }
}

/// The sources a program knows; `ingestctl` registers its own in one list.
public struct SourceRegistry: Sendable {
    public let sources: [any Source]

    public init(_ sources: [any Source]) {
        self.sources = sources
    }

    public var datasets: [Dataset] { sources.flatMap(\.datasets) }

    /// The models of every source as one checked graph.
    public func modelGraph() throws -> ModelGraph {
        try ModelGraph(models: sources.flatMap(\.models), registeredDatasets: Set(datasets.map(\.qualifiedName)))
    }

    /// Silver tables by `source.dataset` (only configs that validate).
    public var sourceTables: [String: TableSchema] {
        var tables: [String: TableSchema] = [:]
        for dataset in datasets { tables[dataset.qualifiedName] = try? dataset.tableSchema() }
        return tables
    }

    /// Looks up `source.dataset`; the error lists what is registered.
    public func dataset(_ qualifiedName: String) throws -> Dataset {
        let known = datasets.map(\.qualifiedName).sorted()
        let parts = qualifiedName.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw IngestError("\"\(qualifiedName)\" is not source.dataset", fix: "name a dataset like \(known.first ?? "acme_portal.orders"); `ingestctl list` shows them all")
        }
        guard sources.contains(where: { $0.name == parts[0] }) else {
            throw IngestError("source \"\(parts[0])\" is not registered (registered: \(sources.map(\.name).sorted().joined(separator: ", ")))",
                              fix: "check the spelling; every folder Sources/Sources/<Name>/ declaring <Name>Source is registered by the next build (ingestctl's generated RegisteredSources.swift)")
        }
        guard let dataset = datasets.first(where: { $0.qualifiedName == qualifiedName }) else {
            throw IngestError("source \(parts[0]) has no dataset \"\(parts[1])\" (it has: \(known.filter { $0.hasPrefix(parts[0] + ".") }.joined(separator: ", ")))",
                              fix: "check the spelling, or add the dataset to the source's datasets list")
        }
        return dataset
    }
}
