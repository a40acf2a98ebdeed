import Foundation
import IngestCommon

/// The files `ingestctl new --kind browser|export` writes where a JSON API's differ: a table of text cells
/// instead of JSON records. The columns are the sample's top-level scalar fields (the built-in sample's:
/// text, numeric, integer, date, timestamp, boolean); the fixture is that sample as the page or the export.
///
/// | kind | extractor | fixture (`Tests/Fixtures/`) | parser |
/// |---|---|---|---|
/// | `browser` | `Browser` opens `<BASE_URL>/<dataset>.html`, waits for the table's rows, keeps the drawn page (`dom_html`), follows `a[rel=next]` | `<dataset>.html`: the rows as data, drawn into `table#<dataset>` by a script | `TableRecord.html(_, table: "table#<dataset>")` |
/// | `export` | `context.http` downloads `<BASE_URL>/<dataset>.csv` (`export_download`) | `<dataset>.csv` | `TableRecord.csv` |
extension SourceScaffold {
    /// The page or export's path on the site: `/permits.html`, `/permits.csv`.
    public var tablePath: String { "/\(dataset).\(kind == .browser ? "html" : "csv")" }

    /// The sample's records as rows of text cells, in `rowFields` order (an empty cell for null or missing).
    func tableRows() -> [[String]] {
        let tree = (try? JSONTree.parse(sample)) ?? .null
        let records = shape.records.recordsPath.map { tree[$0]?.array ?? [] } ?? tree.array ?? []
        return records.map { record in rowFields.map { record[$0.path[0]]?.scalarText ?? "" } }
    }

    func tableFixture() -> File {
        let header = rowFields.map(\.column)
        let rows = tableRows()
        if kind == .export {
            let lines = ([header] + rows).map { $0.map(csvField).joined(separator: ",") }
            return File(path: "\(folder)/Tests/Fixtures/\(dataset).csv", text: lines.joined(separator: "\n") + "\n")
        }
        let data = (try? JSONSerialization.data(withJSONObject: rows, options: [.withoutEscapingSlashes])) ?? Data("[]".utf8)
        let json = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "</", with: "<\\/")
        let text = """
            <!doctype html>
            <html>
            <head><meta charset="utf-8"><title>\(dataset)</title></head>
            <body>
            <h1>\(dataset)</h1>
            <table id="\(dataset)">
              <thead><tr>\(header.map { "<th>\($0)</th>" }.joined())</tr></thead>
              <tbody></tbody>
            </table>
            <script>
            // The rows arrive as data and a script draws them, as on a site that needs a browser: the page's
            // HTML alone has an empty table. (A next page would be a link <a rel="next" href="…">.)
            const rows = \(json);
            const body = document.querySelector("#\(dataset) tbody");
            for (const cells of rows) {
              const tr = document.createElement("tr");
              for (const cell of cells) {
                const td = document.createElement("td");
                td.textContent = cell;
                tr.appendChild(td);
              }
              body.appendChild(tr);
            }
            </script>
            </body>
            </html>

            """
        return File(path: "\(folder)/Tests/Fixtures/\(dataset).html", text: text)
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).
    func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    func browserExtractorFile() -> String {
        """
        import Foundation
        import IngestKit

        /// Extracts `\(source).\(dataset)` with headless chromium (Debian: `apt-get install -y chromium`, or set
        /// CHROMIUM_PATH): opens `<\(baseURLVariable)>\(tablePath)`, waits until the page's script has drawn the table's
        /// rows, keeps the drawn page as a `dom_html` artifact, and follows `a[rel="next"]` links, one artifact per page.
        /// chromium is ended on every way out (errors and cancellation included). Edit the path, the selector and the
        /// paging to fit the site; clicks and typing: `page.click(_:)`, `page.type(_:_:)` (Docs/AddingASource.md, "Browser sources").
        public struct \(datasetType)Extractor: Extractor {
            /// A safety stop against a pager that never ends.
            public var maxPages: Int

            public init(maxPages: Int = 1_000) {
                self.maxPages = maxPages
            }

            public func extract(_ context: ExtractionContext, into sink: ArtifactSink) async throws {
                let base = try context.settings.require("\(baseURLVariable)", purpose: "the site to browse \(source).\(dataset) on")
                var url = (base.hasSuffix("/") ? String(base.dropLast()) : base) + \(literal(tablePath))
                try await Browser.withBrowser(try BrowserOptions(settings: context.settings)) { browser in
                    let page = try await browser.newPage()
                    var number = 1
                    while true {
                        try await page.navigate(to: url)
                        // Every wait has a timeout (INGEST_BROWSER_TIMEOUT_SECONDS); a page without rows fails here, naming the selector.
                        try await page.waitForSelector(\(literal("table#\(dataset) tbody tr")))
                        try await sink.store(try await page.htmlArtifact(id: "page_" + String(format: "%05d", number), method: .domHTML))
                        guard let next = try await page.evaluate(#"document.querySelector('a[rel="next"]')?.href ?? null"#).string else { break }
                        guard number < maxPages else {
                            throw IngestError("\(source).\(dataset) has more than \\(maxPages) pages", fix: "check that the site's next link ends")
                        }
                        url = next
                        number += 1
                    }
                    context.say("\(source).\(dataset): browsed \\(number) page(s)")
                }
            }
        }

        """
    }

    func exportExtractorFile() -> String {
        """
        import Foundation
        import IngestKit

        /// Extracts `\(source).\(dataset)`: downloads the CSV export `<\(baseURLVariable)>\(tablePath)` as one
        /// `export_download` artifact, unchanged. `context.http` retries 429, 5xx and network errors with backoff and fails
        /// at once on other 4xx. Edit the path (and add a token header or a date to the query) to fit the server.
        public struct \(datasetType)Extractor: Extractor {
            public init() {}

            public func extract(_ context: ExtractionContext, into sink: ArtifactSink) async throws {
                let base = try context.settings.require("\(baseURLVariable)", purpose: "the server to download the \(source).\(dataset) export from")
                let url = (base.hasSuffix("/") ? String(base.dropLast()) : base) + \(literal(tablePath))
                let response = try await context.http.get(url, headers: [])
                try await sink.store(RawArtifact(
                    artifactId: "export_00001", bytes: response.body, url: url,
                    contentType: "text/csv", extractionMethod: .exportDownload))
            }
        }

        """
    }

    /// The `TableRecord` read of one field (a key that is not text goes through `present`).
    func cellRead(_ field: InferredField) -> String {
        let column = literal(field.column)
        let read: String
        switch field.type {
        case .text, .jsonb:
            return field == key ? "try record.required(\(column))" : "try record.text(\(column))"
        case .integer: read = "record.integer(\(column))"
        case .numeric: read = "record.decimal(\(column))"
        case .date: read = "record.date(\(column))"
        case .timestamp: read = "record.timestamp(\(column))"
        case .boolean: read = "record.boolean(\(column))"
        }
        return field == key ? "try record.present(\(read), \(column))" : "try " + read
    }

    func tableParserFile() -> String {
        let records = kind == .browser
            ? "try TableRecord.html(artifact.bytes, table: \(literal("table#\(dataset)")))"
            : "try TableRecord.csv(artifact.bytes)"
        let what = kind == .browser ? "a page of the site (the table `table#\(dataset)`, its columns named by its `th` header)" : "the CSV export (columns named by its header row)"
        let arguments = rowFields.map { "\(rowProperty($0)): \(cellRead($0))" }.joined(separator: ",\n                        ")
        return """
            import IngestKit

            extension \(module)Source {
                /// Maps \(what) to rows of `\(source).\(dataset)`, record by record: an empty key or a cell of the wrong type
                /// (a word where a number belongs, an invalid date) rejects that record with its cells as JSON; the rest load.
                @Sendable public static func \(parseFunction)(_ artifact: StoredArtifact) throws -> [ParsedItem<\(datasetType)Row>] {
                    \(records).map { record in
                        do {
                            return .row(\(datasetType)Row(
                                \(arguments)), raw: record.raw)
                        } catch {
                            return .rejected(reason: "\\(error)", raw: record.raw)
                        }
                    }
                }
            }

            """
    }

    func tableTestFile() -> String {
        let count = shape.recordCount
        let fixtureName = "\(dataset).\(kind == .browser ? "html" : "csv")"
        let parserTest = kind == .browser ? "" : """
                @Test func theParserReadsEveryRowOfTheExport() throws {
                    let bytes = try Fixtures().data("\(fixtureName)")
                    let artifact = StoredArtifact(bytes: bytes, provenance: Provenance(
                        artifactId: "export_00001", key: "bronze/\(fixtureName)", sha256: "", size: bytes.count, url: "http://127.0.0.1\(tablePath)",
                        contentType: "text/csv", extractionMethod: .exportDownload, runId: "test", extractedAt: ""))
                    let parsed = try \(module)Source.\(datasetProperty).makeParser()(artifact)
                    #expect(parsed.rows.count == \(count))
                    for reject in parsed.rejects { Issue.record("rejected: \\(reject.reason)") }
                }


            """
        let how = kind == .browser
            ? "the fixture page (Fixtures/\(fixtureName), whose script draws the table) served on 127.0.0.1, browsed with\n/// headless chromium,"
            : "the fixture export (Fixtures/\(fixtureName)) served on 127.0.0.1 and downloaded,"
        return """
            \(["Foundation", "IngestKit", "IngestTesting", module, "Testing"].sorted().map { "import " + $0 }.joined(separator: "\n"))

            /// `\(source).\(dataset)` as generated by `ingestctl new --kind \(kind.rawValue)`: \(how)
            /// run end to end on each warehouse (IngestTesting's `TestPlatform`), silver and the marts checked, the rerun
            /// changes nothing. The fixtures are served by IngestTesting's `RecordedAPI` (each file at its path); by hand:
            /// `swift run ingestctl fixtures serve \(folder)/Tests/Fixtures`.
            @Suite struct \(datasetType)Tests {
                let registry = SourceRegistry([\(module)Source()])

            \(parserTest)    @Test(arguments: WarehouseKind.allCases)
                func runsEndToEndAndTheRerunChangesNothing(_ kind: WarehouseKind) async throws {
                    let site = try await RecordedAPI.start(folder: Fixtures().folder)
                    let test = try await TestPlatform.make(kind, ["\(baseURLVariable)": site.baseURL])
                    let first = try await test.platform.run("\(source).\(dataset)", in: registry)
                    let rerun = try await test.platform.run("\(source).\(dataset)", in: registry)
                    await site.stop()
                    #expect(first.status == "succeeded", "\\(first.error ?? "")")
                    #expect(first.counts.artifacts == 1)
                    #expect(first.counts.parsed == \(count))
                    #expect(first.counts.inserted == \(count))
                    #expect(first.counts.rejected == 0)
                    #expect(first.models?.built == 3)
                    #expect(first.models?.testsFailed == 0)

                    let rows = try await test.withWarehouse { try await $0.execute("SELECT count(*) AS n FROM \(source).\(dataset)") }
                    #expect(rows.first?["n"] == "\(count)")
                    let marts = try await test.withWarehouse { try await $0.execute("SELECT count(*) AS n FROM marts.fct_\(source)__\(dataset)") }
                    #expect(marts.first?["n"] == "\(count)")

                    #expect(rerun.status == "succeeded", "\\(rerun.error ?? "")")
                    #expect(rerun.counts.inserted == 0)
                    #expect(rerun.counts.updated == 0)
                    #expect(rerun.counts.unchanged == \(count))
                }
            }

            """
    }
}
