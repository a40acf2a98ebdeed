import Foundation
import IngestCommon

/// The files `ingestctl new <source> <dataset>` writes: a dataset of a new or existing source in
/// `Sources/Sources/<Name>/`, generated from a sample response (`SampleShape`) against the SDK's
/// authoring API, ready to build, run and test as generated.
///
/// For source `city_permits` and dataset `permits`, under `Sources/Sources/CityPermits/`:
///
/// | file | what |
/// |---|---|
/// | `CityPermitsSource.swift` | the source (new sources only): its name, datasets, models, variables |
/// | `PermitsTable.swift` | the row and its columns (key guessed, marked `CONFIRM`); when every field is at the top level, the row is also the record the API sends (`Decodable`) |
/// | `PermitsItem.swift` | only for nested records: a record as the API sends it (nested objects as nested types) |
/// | `PermitsParser.swift` | only for nested records: item → row, an item of the wrong shape rejected with its JSON |
/// | `PermitsDataset.swift` | the dataset value `CityPermitsSource.permits`: columns, a declarative `RESTExtractor` (`rest`) or an `Extractor` (`api`), parse, watermark |
/// | `Models/PermitsModels.swift` | `stg_city_permits__permits` → `int_…_enriched` → `fct_city_permits__permits`, with tests |
/// | `Tests/PermitsTests.swift`, `Tests/Fixtures/permits.json` | the test target `CityPermitsTests` (on IngestTesting): the sample served on loopback, run end to end |
/// | `.env.example` | the source's variables, what `ingestctl env city_permits` prints (new sources; a later dataset appends its new ones) |
///
/// `--kind browser` and `--kind export` write a table of text cells instead (`TableScaffold.swift`): an extractor
/// on `Browser` or `context.http`, a `TableRecord` parser, and the fixture as an HTML page or a CSV file.
///
/// A second dataset of an existing source is added to the source's lists at the
/// `// ingestctl new:` marker lines (`addingDataset(to:)`); it shares the source's schema.
/// No secret is ever rendered: the token is a variable, read with `settings.secret`.
public struct SourceScaffold: Sendable {
    /// How the dataset extracts.
    public enum Kind: String, Sendable, CaseIterable {
        /// A declarative `RESTExtractor`: no extractor code.
        case rest
        /// An `Extractor` of its own that pages with `context.http`, to edit where the API is unusual.
        case api
        /// A web page whose script draws an HTML table: the SDK's headless chromium (`Browser`) opens it, keeps the
        /// drawn page (`dom_html`) and follows `a[rel=next]`; the parser reads the table (`TableRecord.html`).
        case browser
        /// A CSV export downloaded from the server (`export_download`); the parser reads it (`TableRecord.csv`).
        case export

        /// Whether records come as text cells of a table (browser, export) rather than JSON (rest, api).
        public var isTable: Bool { self == .browser || self == .export }
    }

    public var source: String
    public var dataset: String
    public var kind: Kind
    public var request: SampleRequest
    public var shape: SampleShape
    /// The sample response, kept as the test's fixture.
    public var sample: Data
    /// The primary key's field (the guess, or the author's `--key`).
    public var key: InferredField

    /// `city_permits` → `CityPermits`: the folder, the module and the prefix of the source type.
    public var module: String { ScaffoldNames.typeName(source) }
    /// `permits` → `Permits`: the prefix of the dataset's types.
    public var datasetType: String { ScaffoldNames.typeName(dataset) }
    /// The folder, relative to the repository.
    public var folder: String { "Sources/Sources/\(module)" }
    public var baseURLVariable: String { ScaffoldNames.variablePrefix(source) + "_BASE_URL" }
    /// `permits` → `permits`: the dataset's static property in the source type (`CityPermitsSource.permits`);
    /// a name the source type uses itself gets a suffix (`models` → `modelsDataset`).
    public var datasetProperty: String {
        let name = ScaffoldNames.property(dataset)
        return ["dataset", "datasets", "sourceName", "name", "models", "variables", "init"].contains(name) ? name + "Dataset" : name
    }
    /// Whether every field is at the top level with one JSON kind: then the row is `Decodable` and
    /// serves as the record too (no item type, no parser).
    public var rowIsRecord: Bool { !kind.isTable && shape.fields.allSatisfy { $0.path.count == 1 && !$0.mixed } }
    public var tokenVariable: String { ScaffoldNames.variablePrefix(source) + "_API_TOKEN" }
    /// The query parameter of an incremental window (`ingestctl new --incremental`), e.g. `filter[updated_since]`;
    /// the sample request's own value of it is not kept in `query:` (the window sets it).
    public var incrementalParameter: String?

    /// Checks the names and picks the key: `key` (a column or JSON key of the sample) or the shape's guess.
    public init(source: String, dataset: String, kind: Kind = .rest, request: SampleRequest, shape: SampleShape,
                sample: Data, key: String? = nil) throws {
        for (what, name) in [("source", source), ("dataset", dataset)] {
            guard Identifier.isSafe(name), !name.hasPrefix("_"), !name.contains("__"), name.count <= 40 else {
                throw IngestError("the \(what) name \"\(VisibleText.escaped(name))\" is not a snake_case name",
                                  fix: "use \(Identifier.suggestion(for: name)) (lower-case letters, digits and single underscores, at most 40 characters)")
            }
        }
        self.source = source
        self.dataset = dataset
        self.kind = kind
        self.request = request
        var shape = shape
        if kind.isTable {
            // A table has one text cell per column: nested objects and arrays have no place in it.
            shape.fields = shape.fields.filter { $0.path.count == 1 && $0.type != .jsonb && !$0.mixed }
        }
        self.shape = shape
        self.sample = sample
        let topLevel = shape.fields.filter { $0.path.count == 1 && $0.type != .jsonb }
        if let key {
            guard let field = topLevel.first(where: { $0.column == key || $0.path == [key] }) else {
                throw IngestError("--key \(key) is not a top-level field of the sample's records (fields: \(topLevel.map(\.column).joined(separator: ", ")))",
                                  fix: "name the field that identifies a record")
            }
            self.key = field
        } else if let guess = shape.key {
            self.key = guess
        } else {
            throw IngestError("no field of the sample can be the primary key: none is named id, \(dataset)_id or *_number and present and distinct in every record (fields: \(topLevel.map(\.column).joined(separator: ", ")))",
                              fix: "pass --key <field> naming the field that identifies a record")
        }
    }

    // MARK: - Files

    /// A file to write, relative to the repository.
    public struct File: Sendable, Hashable {
        public var path: String
        public var text: String
    }

    /// The dataset's files (everything but the source file).
    public func datasetFiles() -> [File] {
        var files = [File(path: "\(folder)/\(datasetType)Table.swift", text: tableFile())]
        if kind.isTable {
            return files + [
                File(path: "\(folder)/\(datasetType)Extractor.swift", text: kind == .browser ? browserExtractorFile() : exportExtractorFile()),
                File(path: "\(folder)/\(datasetType)Parser.swift", text: tableParserFile()),
                File(path: "\(folder)/\(datasetType)Dataset.swift", text: datasetFile()),
                File(path: "\(folder)/Models/\(datasetType)Models.swift", text: modelsFile()),
                File(path: "\(folder)/Tests/\(datasetType)Tests.swift", text: tableTestFile()),
            ]
        }
        if !rowIsRecord {
            files.insert(File(path: "\(folder)/\(datasetType)Item.swift", text: itemFile()), at: 0)
            files.append(File(path: "\(folder)/\(datasetType)Parser.swift", text: parserFile()))
        }
        if kind == .api { files.append(File(path: "\(folder)/\(datasetType)Extractor.swift", text: extractorFile())) }
        files += [
            File(path: "\(folder)/\(datasetType)Dataset.swift", text: datasetFile()),
            File(path: "\(folder)/Models/\(datasetType)Models.swift", text: modelsFile()),
            File(path: "\(folder)/Tests/\(datasetType)Tests.swift", text: testFile()),
        ]
        return files
    }

    /// The fixture: the sample response as a whole API of one page, so the generated test passes as it is: its next
    /// links and cursors at the well-known places set to null (the test stops after it), and a total there set to
    /// the records it holds (the run's completeness check compares them).
    public func fixture() -> File {
        if kind.isTable { return tableFixture() }
        var bytes = sample
        if case .object = (try? JSONTree.parse(sample)) ?? .null, var tree = try? JSONTree.parse(sample) {
            let original = tree
            for text in SampleShape.nextLinkPaths + SampleShape.nextCursorPaths {
                tree = Self.replacing(text, in: tree) { _ in .null }
            }
            if let total = shape.declaredTotal {
                tree = Self.replacing(total.path, in: tree) { _ in .number(Decimal(shape.recordCount)) }
            }
            if tree != original { bytes = tree.data() }
        }
        // An API may echo the token (a next link with `?api_key=…`): the fixture is committed, so it is masked in every encoding.
        return File(path: "\(folder)/Tests/Fixtures/\(dataset).json", text: Redactor.shared.redact(String(decoding: bytes, as: UTF8.self)))
    }

    /// `tree` with the value at `path` (keys only; an existing non-null value) replaced by `change(value)`.
    static func replacing(_ path: String, in tree: JSONTree, _ change: (JSONTree) -> JSONTree) -> JSONTree {
        guard let steps = try? JSONPath(path).steps else { return tree }
        func replace(_ tree: JSONTree, _ rest: ArraySlice<JSONPath.Step>) -> JSONTree {
            guard case .key(let key)? = rest.first, case .object(var object) = tree, let child = object[key] else { return tree }
            if rest.count == 1 {
                guard child != .null else { return tree }
                object[key] = change(child)
            } else {
                object[key] = replace(child, rest.dropFirst())
            }
            return .object(object)
        }
        return replace(tree, steps[...])
    }

    /// What the scaffold chose for the pages and why, and what it found but could not use: printed by `ingestctl new`.
    public var pagingNotes: [String] {
        var notes: [String] = []
        switch request.paging {
        case .offset(let offset, let limit, _)?:
            notes.append("paginator: offset and limit in the query parameters \(offset) and \(limit) of the sampled URL")
        case .pageNumber(let parameter, _, _, _)?:
            notes.append("paginator: a page number in the query parameter \(parameter) of the sampled URL")
        case nil:
            if let next = shape.nextLinkKey {
                notes.append("paginator: .nextURL(path: \(literal(next))), the sample's next-page link")
            } else {
                notes.append("paginator: .single, one request: the sample has no next-page link at a well-known place and the URL no page parameter")
            }
        }
        if let cursor = shape.nextCursorPath, shape.nextLinkKey == nil {
            notes.append("WARNING: the sample has a next-page cursor at \(cursor), which the scaffold cannot follow (it cannot tell the query "
                         + "parameter that takes it): declare paginator: .cursor(path: \(literal(cursor)), parameter: \"<the API's cursor parameter>\") "
                         + "in the dataset, or a run fails when it finds the cursor on its last page")
        }
        if let total = shape.declaredTotal {
            if total.value > shape.recordCount, shape.nextLinkKey == nil, request.paging == nil, shape.nextCursorPath == nil {
                notes.append("WARNING: the sample says the API holds \(total.value) records (at \(total.path)) but holds \(shape.recordCount), with no "
                             + "next-page link or page parameter the scaffold could follow: declare the dataset's paginator; a run fails while it reads fewer")
            } else {
                notes.append("total: the API's \(total.path) (\(total.value) in the sample); a run that reads fewer records fails")
            }
        }
        return notes
    }

    /// Every file of a new source: the source file, the dataset's files, the fixture and the folder's `.env.example`.
    public func newSourceFiles() -> [File] {
        [File(path: "\(folder)/\(module)Source.swift", text: sourceFile())] + datasetFiles() + [fixture(), envExample()]
    }

    /// The variables of this dataset: the base URL and (with a `--header`) the token, both `.required`, so
    /// `ingestctl doctor` checks them (`ingestctl new` writes their values into `.env`).
    public func variables() -> [SourceVariable] {
        switch kind {
        case .browser:
            return [SourceVariable(baseURLVariable, "the site's scheme, host and port (the page \(tablePath) is browsed)", example: "https://portal.example.com", requirement: .required)]
        case .export:
            return [SourceVariable(baseURLVariable, "the scheme, host and port of the server the export \(tablePath) is downloaded from", example: "https://exports.example.com", requirement: .required)]
        case .rest, .api:
            break
        }
        var variables = [SourceVariable(baseURLVariable, "the API's scheme, host and port", example: request.baseURL, requirement: .required)]
        if let name = request.tokenHeader ?? request.tokenQuery {
            let how = request.tokenQuery != nil ? "sent as the query parameter \(name)" : request.bearer ? "sent as a bearer token" : "sent in the \(name) header"
            variables.append(SourceVariable(tokenVariable, "the API token, \(how)", secret: true, requirement: .required))
        }
        return variables
    }

    /// The variables as `SourceVariable(...)` lines of the source file.
    func variableLines() -> [(name: String, line: String)] {
        variables().map { variable in
            var line = "SourceVariable(\(literal(variable.name)), \(literal(variable.purpose))"
            if variable.isSecret { line += ", secret: true" }
            if !variable.example.isEmpty { line += ", example: \(literal(variable.example))" }
            return (variable.name, line + ", requirement: .required),")
        }
    }

    /// The source folder's `.env.example`: what `ingestctl env <source>` prints once the source is built
    /// (a test keeps them equal), so the root `.env.example` needs no edit.
    public func envExample() -> File {
        File(path: "\(folder)/.env.example", text: EnvironmentFile.render(source: source, variables: variables()))
    }

    /// The folder's `.env.example` with this dataset's variables the file does not list yet appended, as
    /// `addingDataset(to:)` appends them to the source's list (so the file stays what `ingestctl env <source>` prints).
    public func addingVariables(toEnvExample text: String) -> String {
        variables().filter { !text.contains("\n# \($0.name)=") }.reduce(text) { $0 + EnvironmentFile.lines(of: $1) }
    }

    static let datasetsMarker = "// ingestctl new: datasets above this line"
    static let modelsMarker = "// ingestctl new: models above this line"
    static let variablesMarker = "// ingestctl new: variables above this line"

    var modelTypes: [String] {
        ["Stg\(module)\(datasetType)", "Int\(module)\(datasetType)Enriched", "Fct\(module)\(datasetType)"]
    }

    func sourceFile() -> String {
        """
        import IngestKit

        /// The \(source) source, generated by `ingestctl new`: its datasets (declared in `extension \(module)Source`)
        /// share the `\(source)` schema.
        ///
        /// `ingestctl new \(source) <dataset>` adds a dataset at the marker lines below.
        public struct \(module)Source: Source {
            public init() {}

            public static let sourceName = "\(source)"

            public var datasets: [Dataset] {
                [
                    Self.\(datasetProperty),
                    \(Self.datasetsMarker)
                ]
            }

            public var models: [any Model.Type] {
                [
                    \(modelTypes.map { "\($0).self," }.joined(separator: " "))
                    \(Self.modelsMarker)
                ]
            }

            public var variables: [SourceVariable] {
                [
        \(variableLines().map { "            " + $0.line }.joined(separator: "\n"))
                    \(Self.variablesMarker)
                ]
            }
        }

        """
    }

    /// The source file with this dataset added at the marker lines; variables the source already
    /// declares are not added again. Throws naming the marker when one is gone.
    public func addingDataset(to sourceText: String) throws -> String {
        if sourceText.contains("Self.\(datasetProperty),") {
            throw IngestError("source \(source) already has a dataset \(dataset) (\(folder)/\(module)Source.swift lists Self.\(datasetProperty))",
                              fix: "pick another dataset name, or delete the dataset's files and its lines in the source first")
        }
        var text = sourceText
        var inserts = [(Self.datasetsMarker, "Self.\(datasetProperty),"),
                       (Self.modelsMarker, modelTypes.map { "\($0).self," }.joined(separator: " "))]
        for variable in variableLines() where !sourceText.contains("\"\(variable.name)\"") {
            inserts.append((Self.variablesMarker, variable.line))
        }
        for (marker, line) in inserts {
            guard let range = text.range(of: marker) else {
                throw IngestError("\(folder)/\(module)Source.swift has no line \"\(marker)\"",
                                  fix: "put the line back at the end of the list it marks, or add by hand: \(line)")
            }
            let lineStart = text[..<range.lowerBound].lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex
            let indent = String(text[lineStart..<range.lowerBound])
            text.insert(contentsOf: line + "\n" + indent, at: range.lowerBound)
        }
        return text
    }

    // MARK: - Item, row, table

    /// The item type's fields as a tree: top-level keys and nested objects.
    final class Node {
        var key: String
        var field: InferredField?
        var children: [Node] = []
        init(key: String, field: InferredField? = nil) {
            self.key = key
            self.field = field
        }
        func child(_ key: String) -> Node {
            if let found = children.first(where: { $0.key == key && $0.field == nil }) { return found }
            let node = Node(key: key)
            children.append(node)
            return node
        }
    }

    func itemTree() -> Node {
        let root = Node(key: "")
        for field in shape.fields {
            var node = root
            for key in field.path.dropLast() { node = node.child(key) }
            node.children.append(Node(key: field.path.last!, field: field))
        }
        return root
    }

    /// Property names of a node's children, unique within it.
    func propertyNames(_ node: Node) -> [String] {
        var used = Set<String>()
        return node.children.map { child in
            var name = ScaffoldNames.property(ScaffoldNames.column(for: [child.key]))
            if used.contains(name) {
                var n = 2
                while used.contains("\(name)\(n)") { n += 1 }
                name = "\(name)\(n)"
            }
            used.insert(name)
            return name
        }
    }

    /// The Swift expression reading `field` from `item` in the parser (optional unless the key).
    func itemAccess(_ field: InferredField) -> String {
        var node = itemTree()
        var parts = ["item"]
        for (depth, key) in field.path.enumerated() {
            let names = propertyNames(node)
            let last = depth == field.path.count - 1
            guard let index = node.children.firstIndex(where: { $0.key == key && (last ? $0.field == field : $0.field == nil) }) else { break }
            parts.append(names[index])
            node = node.children[index]
        }
        var text = parts[0] + "." + parts[1]
        for part in parts.dropFirst(2) { text += "?." + part }
        return text
    }

    func itemFieldType(_ field: InferredField) -> String {
        switch field.type {
        case .jsonb: return "JSONTree"
        case .text where field.mixed: return "JSONTree"
        default: return field.type.swiftType
        }
    }

    func itemStruct(_ node: Node, name: String, indent: String, doc: [String]) -> String {
        var lines = doc.map { indent + "/// " + $0 }
        lines.append("\(indent)struct \(name): Decodable {")
        let names = propertyNames(node)
        var nested: [String] = []
        for (child, property) in zip(node.children, names) {
            if let field = child.field {
                let isKey = field == key
                let comment: String
                if isKey {
                    comment = "  // the primary key"
                } else if field.mixed {
                    comment = "  // the sample has several JSON kinds here: read as text"
                } else {
                    comment = ""
                }
                lines.append("\(indent)    var \(property): \(itemFieldType(field))\(isKey ? "" : "?")\(comment)")
            } else {
                let type = ScaffoldNames.typeName(ScaffoldNames.column(for: [child.key])) + "Fields"
                lines.append("\(indent)    var \(property): \(type)?")
                nested.append(itemStruct(child, name: type, indent: indent + "    ", doc: ["`\(child.key)`, read into the row's columns (see the parse function)."]))
            }
        }
        lines.append("")
        lines.append("\(indent)    enum CodingKeys: String, CodingKey {")
        for (child, property) in zip(node.children, names) {
            lines.append("\(indent)        case \(property) = \(literal(child.key))")
        }
        lines.append("\(indent)    }")
        for text in nested {
            lines.append("")
            lines.append(text)
        }
        lines.append("\(indent)}")
        return lines.joined(separator: "\n")
    }

    func itemFile() -> String {
        let where_ = shape.records.recordsPath.map { "the array `\($0)` of" } ?? "the array that is"
        var text = """
            import IngestKit

            \(itemStruct(itemTree(), name: "\(datasetType)Item", indent: "", doc: [
                "A record of `\(source).\(dataset)` as the API sends it: an element of \(where_) the response of `GET \(request.path)`.",
                "Inferred by `ingestctl new` from a sample of \(shape.recordCount) record(s); edit it when the API sends more.",
                "Keys this type does not read are reported as schema drift in the run report.",
            ]))

            """
        if case .key(let key) = shape.records {
            text += """

                /// A page of the API: the records are under `\(key)` (none, or null: an empty page).
                struct \(datasetType)Page: Decodable {
                    var records: [JSONItem<\(datasetType)Item>]?

                    enum CodingKeys: String, CodingKey {
                        case records = \(literal(key))
                    }
                }

                """
        }
        return text
    }

    /// Row fields: the key first, then the other fields in the sample's order.
    var rowFields: [InferredField] { [key] + shape.fields.filter { $0 != key } }

    func rowProperty(_ field: InferredField) -> String { ScaffoldNames.property(field.column) }

    func tableFile() -> String {
        var row: [String] = ["import IngestKit", ""]
        if rowIsRecord {
            let where_ = shape.records.recordsPath.map { "an element of the array `\($0)` of" } ?? "an element of the array that is"
            row += [
                "/// A row of `\(source).\(dataset)`, one per record, and the record as the API sends it: \(where_) the",
                "/// response of `GET \(request.path)` (every field is at the top level, so one declaration serves both).",
                "/// Inferred by `ingestctl new` from a sample of \(shape.recordCount) record(s). Non-optional fields are NOT NULL; keys",
                "/// the row does not read are reported as schema drift in the run report.",
                "public struct \(datasetType)Row: Sendable, Hashable, Decodable {",
            ]
        } else {
            row += [
                "/// A row of `\(source).\(dataset)`: one per record. Non-optional fields are NOT NULL.",
                "public struct \(datasetType)Row: Sendable, Hashable {",
            ]
        }
        for field in rowFields {
            let comment = rowIsRecord && field == key ? "  // the primary key" : ""
            row.append("    public var \(rowProperty(field)): \(field.type.swiftType)\(field == key ? "" : "?")\(comment)")
        }
        if rowIsRecord {
            row += ["", "    enum CodingKeys: String, CodingKey {"]
            for field in rowFields { row.append("        case \(rowProperty(field)) = \(literal(field.path[0]))") }
            row.append("    }")
        }
        row += [
            "}",
            "",
            "extension \(module)Source {",
            "    /// The columns of `\(source).\(dataset)`: one per field\(rowIsRecord ? "" : " (nested objects flattened as `parent_child`)"); the SDK adds",
            "    /// bronze_object_path, checksum_sha256 and ingested_at after them.",
            "    public static let \(datasetProperty)Columns: [Column<\(datasetType)Row>] = [",
        ]
        for field in rowFields {
            if field == key {
                row.append("        // CONFIRM: ingestctl new guessed this primary key from the sample; make sure it identifies a record.")
                row.append("        Column(\"\(field.column)\", \\.\(rowProperty(field)), primaryKey: true),")
            } else {
                row.append("        Column(\"\(field.column)\", \\.\(rowProperty(field))),")
            }
        }
        row += [
            "    ]",
            "}",
            "",
        ]
        return row.joined(separator: "\n")
    }

    // MARK: - Parser

    func rowValue(_ field: InferredField) -> String {
        let access = itemAccess(field)
        if field.type == .jsonb { return "\(access).map(JSONText.init)" }
        if field.mixed { return "\(access)?.scalarText" }
        return access
    }

    /// The parse function's name: `parsePermits`.
    var parseFunction: String { "parse\(datasetType)" }

    func parserFile() -> String {
        let decode = shape.records.recordsPath == nil
            ? "try artifact.decodeJSON([JSONItem<\(datasetType)Item>].self)"
            : "try (artifact.decodeJSON(\(datasetType)Page.self).records ?? [])"
        let arguments = rowFields.map { "\(rowProperty($0)): \(rowValue($0))" }.joined(separator: ",\n                    ")
        return """
            import IngestKit

            extension \(module)Source {
                /// Maps a page of `\(source).\(dataset)` to rows, item by item: an item of the wrong shape (a missing
                /// key, a string where a number belongs, an invalid date) is rejected with its JSON, the rest load.
                @Sendable public static func \(parseFunction)(_ artifact: StoredArtifact) throws -> [ParsedItem<\(datasetType)Row>] {
                    \(decode).map { entry in
                        guard let item = entry.value else {
                            return .rejected(reason: entry.failure ?? "not a \(dataset) record", raw: entry.raw)
                        }
                        return .row(\(datasetType)Row(
                            \(arguments)), raw: entry.raw)
                    }
                }
            }

            """
    }

    // MARK: - Dataset and extractor

    var paginatorCode: String {
        switch request.paging {
        case .offset(let offset, let limit, let size)?:
            return ".offset(offsetParameter: \(literal(offset)), limitParameter: \(literal(limit)), limit: \(size))"
        case .pageNumber(let parameter, let start, let sizeParameter, let size)?:
            return ".pageNumber(parameter: \(literal(parameter)), start: \(start), sizeParameter: \(sizeParameter.map(literal) ?? "nil"), size: \(size.map(String.init) ?? "nil"))"
        case nil:
            if let next = shape.nextLinkKey { return ".nextURL(path: \(literal(next)))" }
            return ".single"
        }
    }

    var authCode: String {
        if let name = request.tokenQuery { return ".apiKeyQuery(name: \(literal(name)), variable: \"\(tokenVariable)\")" }
        guard let header = request.tokenHeader else { return ".none" }
        return request.bearer ? ".bearer(tokenVariable: \"\(tokenVariable)\")" : ".apiKeyHeader(name: \(literal(header)), variable: \"\(tokenVariable)\")"
    }

    var queryCode: String {
        let query = request.query.filter { $0.name != incrementalParameter }
        return query.isEmpty ? "[:]" : "[" + query.map { "\(literal($0.name)): \(literal($0.value))" }.joined(separator: ", ") + "]"
    }

    /// The `incremental:` argument of the generated `RESTExtractor`, or nothing.
    var incrementalCode: String {
        guard let incrementalParameter else { return "" }
        return ",\n            // A first run loads everything; later runs send the last watermark (minus the lookback) in it."
            + "\n            incremental: IncrementalWindow(parameter: \(literal(incrementalParameter)))"
    }

    /// A watermark from a date or timestamp field named like `updated…`/`modified…`, else none.
    var watermarkField: InferredField? {
        rowFields.first { ($0.type == .timestamp || $0.type == .date) && ($0.column.contains("updated") || $0.column.contains("modified")) }
    }

    func datasetFile() -> String {
        let extractor: String
        if kind == .rest {
            extractor = """
                        // The declarative REST definition from the sample request: `\(baseURLVariable)` + `\(request.path)`.
                        // Every option (paginators, `stop:`, `incremental:`, limits): Docs/AddingASource.md, "An API dataset with no extractor code".
                        extractor: RESTExtractor(
                            baseURLVariable: "\(baseURLVariable)",
                            path: \(literal(request.path)),
                            query: \(queryCode),
                            auth: \(authCode),
                            paginator: \(paginatorCode),
                            recordsPath: \(shape.records.recordsPath.map(literal) ?? "nil")\(incrementalCode)),
                """
        } else {
            extractor = """
                        extractor: \(datasetType)Extractor(),
                """
        }
        let parse = rowIsRecord
            ? "parse: .records(at: \(shape.records.recordsPath.map(literal) ?? "nil")),   // each record is a \(datasetType)Row"
            : "parse: .items(\(parseFunction)),"
        let what: String
        switch kind {
        case .browser: what = "the table of the page `\(tablePath)`, browsed with headless chromium"
        case .export: what = "the CSV export `\(tablePath)`"
        case .rest, .api: what = "`GET \(request.path)`"
        }
        var text = """
            import IngestKit

            extension \(module)Source {
                /// `\(source).\(dataset)`: \(what), one row per record in `\(source).\(dataset)`.
                public static let \(datasetProperty) = dataset(
                    "\(dataset)",
                    columns: \(datasetProperty)Columns,
            \(extractor)
                    \(parse)

            """
        if let mark = watermarkField {
            text += """
                        watermark: .latest(\\.\(rowProperty(mark))),   // the run's watermark: the latest `\(mark.column)` (for an `incremental:` window)

                """
        }
        text += """
                    description: "\(source).\(dataset) from \(what.replacingOccurrences(of: "\"", with: "\\\"")): one row per record in `\(source).\(dataset)`.")
            }

            """
        return text
    }

    /// `api` kind: an extractor of its own, paging as the sample request showed.
    func extractorFile() -> String {
        let headers = request.tokenHeader.map { header in
            request.bearer ? "[(\"Authorization\", \"Bearer \\(token)\")]" : "[(\(literal(header)), token)]"
        } ?? "[]"
        let tokenLine = !request.hasToken ? "" : """
                    let token = context.settings.secret("\(tokenVariable)") ?? ""   // secret(): masked in every log, error and bronze record

            """
        let paging: (setup: String, query: String, advance: String)
        switch request.paging {
        case .offset(let offset, let limit, let size)?:
            paging = ("var offset = 0\n        let limit = \(size)",
                      "URLQueryItem(name: \(literal(limit)), value: String(limit)), URLQueryItem(name: \(literal(offset)), value: String(offset))",
                      "guard records >= limit else { break }   // a short page is the last\noffset += limit")
        case .pageNumber(let parameter, let start, let sizeParameter, let size)?:
            let sizeItem = sizeParameter.flatMap { name in size.map { ", URLQueryItem(name: \(literal(name)), value: \"\($0)\")" } } ?? ""
            paging = ("var pageNumber = \(start)",
                      "URLQueryItem(name: \(literal(parameter)), value: String(pageNumber))\(sizeItem)",
                      "guard records > 0\(size.map { " && records >= \($0)" } ?? "") else { break }\npageNumber += 1")
        case nil:
            paging = ("", "", "break   // one request; add paging here if the API pages")
        }
        let fixed = request.query.map { "URLQueryItem(name: \(literal($0.name)), value: \(literal($0.value)))" }
            + (request.tokenQuery.map { ["URLQueryItem(name: \(literal($0)), value: token)"] } ?? [])
        let items = (fixed + (paging.query.isEmpty ? [] : [paging.query])).joined(separator: ", ")
        let count = shape.records.recordsPath.map { "tree[\(literal($0))]?.array?.count ?? 0" } ?? "tree.array?.count ?? 0"
        return """
            import Foundation
            import IngestKit

            /// Extracts `\(source).\(dataset)`: `GET <\(baseURLVariable)>\(request.path)`, one `api_json` artifact per page,
            /// unchanged. `context.http` retries 429, 5xx and network errors with backoff and fails at once on other 4xx.
            public struct \(datasetType)Extractor: Extractor {
                public init() {}

                public func extract(_ context: ExtractionContext, into sink: ArtifactSink) async throws {
                    let base = try context.settings.require("\(baseURLVariable)", purpose: "the API to extract \(source).\(dataset) from")
            \(tokenLine)        \(paging.setup.isEmpty ? "" : paging.setup + "\n        ")var page = 1
                    while true {
                        var url = URLComponents(string: base.hasSuffix("/") ? String(base.dropLast()) : base)
                        url?.path += \(literal(request.path))
                        url?.queryItems = [\(items)]
                        guard let address = url?.string else {
                            throw IngestError("\(baseURLVariable) is not a URL", fix: "set it to the API's scheme, host and port, e.g. https://api.example.com")
                        }
                        let response = try await context.http.get(address, headers: \(headers))
                        try await sink.store(RawArtifact(
                            artifactId: "page_\\(String(format: "%05d", page))", bytes: response.body, url: address,
                            contentType: "application/json", extractionMethod: .apiJSON))
                        let tree = try JSONTree.parse(response.body)
                        let records = \(count)
                        \(paging.advance.replacingOccurrences(of: "\n", with: "\n            "))
                        page += 1
                    }
                }
            }

            """
    }

    // MARK: - Models

    func modelsFile() -> String {
        let columns = rowFields.map { ScaffoldNames.sqlColumn($0.column) }
        let list = (columns + ["ingested_at"]).joined(separator: ",\n            ")
        let keyColumn = ScaffoldNames.sqlColumn(key.column)
        let stg = "stg_\(source)__\(dataset)", int = "int_\(source)__\(dataset)_enriched", fct = "fct_\(source)__\(dataset)"
        let surrogate = "\(dataset)_sk"
        let (stgType, intType, fctType) = (modelTypes[0], modelTypes[1], modelTypes[2])
        return """
            import IngestKit

            /// 1:1 with `\(source).\(dataset)`: rename, trim and cast here.
            public enum \(stgType): Model {
                public static let name = "\(stg)"
                public static let layer = ModelLayer.staging
                public static let tags = ["\(source)", "\(dataset)"]
                public static let description = "\(source).\(dataset) as loaded into silver, one row per record."
                public static let sql: SQL = \"""
                    select
                        \(list)
                    from \\(source: \(module)Source.\(datasetProperty))
                    \"""
                public static let columns = [
                    ModelColumn("\(key.column)", "the record's key", tests: [.notNull, .unique]),
                ]
            }

            /// \(dataset) with business logic applied (computed fields, cleaned values): one row per record.
            public enum \(intType): Model {
                public static let name = "\(int)"
                public static let layer = ModelLayer.intermediate
                public static let tags = ["\(source)", "\(dataset)"]
                public static let description = "\(dataset) with business logic applied, one row per record."
                public static let sql: SQL = \"""
                    select
                        \(list)
                    from \\(ref: \(stgType).self)
                    \"""
                public static let columns = [
                    ModelColumn("\(key.column)", "the record's key", tests: [.notNull, .unique]),
                ]
            }

            /// The published fact: one row per record, with a surrogate key (same on SQLite and PostgreSQL).
            public enum \(fctType): Model {
                public static let name = "\(fct)"
                public static let layer = ModelLayer.marts
                public static let tags = ["\(source)"]
                public static let description = "\(dataset), one row per record."
                public static let sql: SQL = \"""
                    select
                        \\(Portable.hashedKey("\(keyColumn.replacingOccurrences(of: "\"", with: "\\\""))")) as \(surrogate),
                        \(list)
                    from \\(ref: \(intType).self)
                    \"""
                public static let columns = [
                    ModelColumn("\(surrogate)", "surrogate key of the record", tests: [.notNull, .unique]),
                ]
            }

            """
    }

    // MARK: - Test

    func testFile() -> String {
        let query: String
        switch request.paging {
        case .offset(let offset, _, _)?:
            query = "(request.query[\(literal(offset))] ?? \"0\") == \"0\""
        case .pageNumber(let parameter, let start, _, _)?:
            query = "(request.query[\(literal(parameter))] ?? \"\(start)\") == \"\(start)\""
        case nil:
            query = "true"
        }
        let empty = shape.records.recordsPath.map { "{\"\($0.replacingOccurrences(of: "\"", with: "\\\""))\": []}" } ?? "[]"
        let tokenCheck = request.tokenHeader.map { header in
            let expected = request.bearer ? "\"Bearer \\(token)\"" : "token"
            return """
                            guard request.header(\(literal(header))) == \(expected) else { return .json(#"{"error": "not authorized"}"#, status: 401) }

                """
        } ?? request.tokenQuery.map { name in
            """
                            guard request.query[\(literal(name))] == token else { return .json(#"{"error": "not authorized"}"#, status: 401) }

                """
        } ?? ""
        let settings = !request.hasToken
            ? "[\"\(baseURLVariable)\": server.baseURL]"
            : "[\"\(baseURLVariable)\": server.baseURL, \"\(tokenVariable)\": Self.token]"
        let count = shape.recordCount
        return """
            \(["Foundation", "IngestKit", "IngestTesting", module, "Testing"].sorted().map { "import " + $0 }.joined(separator: "\n"))

            /// `\(source).\(dataset)` as generated by `ingestctl new`: the sample response (Fixtures/\(dataset).json) served on
            /// 127.0.0.1 as the API, run end to end on each warehouse (IngestTesting's `TestPlatform`), silver and the marts
            /// checked, the rerun changes nothing. A run recorded with `swift run ingestctl record \(source).\(dataset)` can be
            /// replayed with `RecordedAPI` (Docs/AddingASource.md §8).
            @Suite struct \(datasetType)Tests {
                static let sample = try! Fixtures().data("\(dataset).json")
                static let token = "test-token-not-a-secret"
                let registry = SourceRegistry([\(module)Source()])

                /// The API: the sample on the first page, an empty page after it.
                func serve() async throws -> LoopbackHTTPServer {
                    let token = Self.token
                    return try await LoopbackHTTPServer.start { request in
            \(tokenCheck)            guard request.path == \(literal(request.path)) else { return .json(#"{"error": "not found"}"#, status: 404) }
                        return \(query) ? LoopbackHTTPServer.Response(headers: [("Content-Type", "application/json")], body: Self.sample)
                            : .json(\(literal(empty)))
                    }
                }

                @Test func theParserReadsEveryRecordOfTheSample() throws {
                    let artifact = StoredArtifact(bytes: Self.sample, provenance: Provenance(
                        artifactId: "page_00001", key: "bronze/sample.json", sha256: "", size: Self.sample.count, url: "http://127.0.0.1/",
                        contentType: "application/json", extractionMethod: .apiJSON, runId: "test", extractedAt: ""))
                    let parsed = try \(module)Source.\(datasetProperty).makeParser()(artifact)
                    #expect(parsed.rows.count == \(count))
                    for reject in parsed.rejects { Issue.record("rejected: \\(reject.reason)") }
                }

                @Test(arguments: WarehouseKind.allCases)
                func runsEndToEndAndTheRerunChangesNothing(_ kind: WarehouseKind) async throws {
                    let server = try await serve()
                    let test = try await TestPlatform.make(kind, \(settings))
                    let first = try await test.platform.run("\(source).\(dataset)", in: registry)
                    await server.stop()
                    #expect(first.status == "succeeded", "\\(first.error ?? "")")
                    #expect(first.counts.parsed == \(count))
                    #expect(first.counts.inserted == \(count))
                    #expect(first.counts.rejected == 0)
                    #expect(first.models?.built == 3)
                    #expect(first.models?.testsFailed == 0)

                    let rows = try await test.withWarehouse { try await $0.execute("SELECT count(*) AS n FROM \(source).\(dataset)") }
                    #expect(rows.first?["n"] == "\(count)")
                    let marts = try await test.withWarehouse { try await $0.execute("SELECT count(*) AS n FROM marts.fct_\(source)__\(dataset)") }
                    #expect(marts.first?["n"] == "\(count)")

                    let again = try await serve()
                    let rerun = try await test.with(["\(baseURLVariable)": again.baseURL]).platform.run("\(source).\(dataset)", in: registry)
                    await again.stop()
                    #expect(rerun.status == "succeeded", "\\(rerun.error ?? "")")
                    #expect(rerun.counts.inserted == 0)
                    #expect(rerun.counts.updated == 0)
                    #expect(rerun.counts.unchanged == \(count))
                }
            }

            """
    }

    /// The sample `ingestctl new` uses without `--from-url`: three records of every inferred type.
    public static let builtInSample = Data(#"""
        [
          {"id": "A-1", "name": "First", "status": "open", "amount": "1250.50", "quantity": 3, "created_date": "2025-01-15",
           "updated_at": "2025-01-16T09:30:00Z", "active": true, "tags": ["new"], "address": {"city": "Delft", "zip": "2611"}},
          {"id": "A-2", "name": "Second", "status": "closed", "amount": "99.99", "quantity": 1, "created_date": "2025-01-17",
           "updated_at": "2025-01-18T14:05:00Z", "active": false, "tags": [], "address": {"city": "Leiden", "zip": "2311"}},
          {"id": "A-3", "name": null, "status": "open", "amount": "0.10", "quantity": 12, "created_date": "2025-02-01",
           "updated_at": "2025-02-01T00:00:00Z", "active": true, "tags": ["a", "b"], "address": null}
        ]

        """#.utf8)

    // MARK: - Text

    /// A Swift string literal (`VisibleText`'s escapes are Swift's; a quote is escaped too).
    func literal(_ text: String) -> String {
        "\"" + VisibleText.escaped(text).replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
