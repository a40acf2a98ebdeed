import AcmePortal
import Foundation
import IngestKit
import IngestTestSupport
import Testing

extension ObserveTests {
    /// Issue 9 item 7: `ingestctl serve`'s runs page, read in a real headless chromium (the browser
    /// toolkit's) after real `ingestctl run`s of acme_portal datasets. Content is checked through the
    /// DOM; a screenshot of the page is kept for a person to look at.
    @Suite struct ServePageTests {
        /// A finished `ingestctl run`: its id, status and figures from `--report`.
        struct Run {
            var id: String
            var status: String
            var parsed: Int
            var error: String?
        }

        static func run(_ dataset: String, _ env: [String: String], in folder: String) async throws -> Run {
            let report = "report-\(UUID().uuidString.prefix(8)).json"
            let result = try await Ingestctl.run(["run", dataset, "--report", report], environment: env, in: folder)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/" + report))) as? [String: Any],
                                    "no report: \(result.stderr)")
            let counts = json["counts"] as? [String: Any]
            return Run(id: try #require(json["run_id"] as? String), status: json["status"] as? String ?? "",
                       parsed: counts?["parsed"] as? Int ?? -1, error: json["error"] as? String)
        }

        /// `ingestctl serve` on a free port, answering `/healthz`; its stderr to `log` when given. The caller terminates it.
        static func serve(_ env: [String: String], in folder: String, log: String? = nil) async throws -> (Process, String) {
            let port = try await Ingestctl.freePort()
            let serve = try Ingestctl.process(["serve", "--port", String(port)], environment: env, in: folder)
            if let log {
                _ = FileManager.default.createFile(atPath: log, contents: nil)
                serve.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            }
            try serve.run()
            let base = "http://127.0.0.1:\(port)"
            do {
                _ = try await Monitoring.waitFor("ingestctl serve to answer /healthz") {
                    try await Monitoring.get(base + "/healthz").status == 200 ? true : nil
                }
            } catch {
                serve.terminate()
                serve.waitUntilExit()
                throw error
            }
            return (serve, base)
        }

        @Test(arguments: WarehouseKind.allCases)
        func serveShowsTheRunsInARealBrowser(_ kind: WarehouseKind) async throws {
            let token = "tok-\(UUID().uuidString)"
            let folder = try Ingestctl.workingDirectory("serve-page")
            var env = try await ObserveTests.environment(kind, rows: 120, token: token)
            let ordersOK = try await Self.run("acme_portal.orders", env, in: folder)
            #expect(ordersOK.status == "succeeded" && ordersOK.parsed == 120)
            let customers = try await Self.run("acme_portal.customers", env, in: folder)
            #expect(customers.status == "succeeded" && customers.parsed == 24)
            env["ACME_PORTAL_DEMO_ROWS"] = "0"
            let ordersFailed = try await Self.run("acme_portal.orders", env, in: folder)
            #expect(ordersFailed.status == "failed")
            let failure = try #require(ordersFailed.error)

            let log = folder + "/serve.log"
            let (serve, base) = try await Self.serve(env, in: folder, log: log)
            defer { serve.terminate(); serve.waitUntilExit() }
            #expect(try await Monitoring.get(base + "/metrics").status == 200, "/metrics is kept")

            let models = AcmePortalSource().models.map { $0.name }
            let expectedEdges = Self.edges(of: AcmePortalSource().models)
            let screenshot = NSTemporaryDirectory() + "ingestkit-serve-page-\(kind).png"
            try await Browser.withBrowser { browser in
                let page = try await browser.newPage()
                try await page.navigate(to: base + "/")
                try await page.waitForSelector("#datasets")
                func text(_ selector: String) async throws -> String? {
                    try await page.evaluate("document.querySelector(\(Self.js(selector)))?.textContent ?? null").string
                }
                #expect(try await page.evaluate("document.title").string == "IngestKit runs")

                // Each dataset's last run: orders failed (the run made last), customers succeeded.
                let orders = "#datasets tr[data-dataset=\"acme_portal.orders\"]"
                #expect(try await text(orders + " [data-key=run]") == ordersFailed.id)
                #expect(try await text(orders + " [data-key=status]") == "failed")
                #expect(try await text(orders + " [data-key=parsed]") == "0")
                #expect(try await text(orders + " [data-key=error]") == failure)
                #expect(try await text(orders + " [data-key=recent]") == "1 succeeded, 1 failed")
                #expect(try await text(orders + " [data-key=gate]") == "failed", "the gate step failed")
                #expect(try await text("#datasets tr[data-dataset=\"acme_portal.customers\"] [data-key=gate]") == "passed")
                let customerRow = "#datasets tr[data-dataset=\"acme_portal.customers\"]"
                #expect(try await text(customerRow + " [data-key=run]") == customers.id)
                #expect(try await text(customerRow + " [data-key=status]") == "succeeded")
                #expect(try await text(customerRow + " [data-key=parsed]") == "24")
                #expect(try await text(customerRow + " [data-key=error]") == "")

                // The latest runs, newest first: the three runs this test made.
                let runIds = try await page.evaluate("[...document.querySelectorAll('#runs tbody tr')].map(r => r.dataset.run)")
                #expect(runIds == .array([ordersFailed.id, customers.id, ordersOK.id].map { .string($0) }))

                // Freshness, from the freshness code: orders' rows of the first run are fresh.
                #expect(try await text("#freshness tr[data-dataset=\"acme_portal.orders\"] [data-key=status]") == "pass")
                #expect(try await text("#freshness tr[data-dataset=\"acme_portal.orders\"] [data-key=error]") == "48 h")

                // The lineage graph: a box per model and per dataset read, an edge from orders onwards.
                let nodes = try await page.evaluate("[...document.querySelectorAll('#lineage g.node')].map(g => g.dataset.name)")
                let names = Set(nodes.array?.compactMap(\.string) ?? [])
                #expect(names.isSuperset(of: models) && names.contains("acme_portal.orders") && names.contains("acme_portal.customers"),
                        "\(names)")
                // An edge for each source and ref of each acme_portal model, and every edge runs left to right.
                let drawn = try await page.evaluate("[...document.querySelectorAll('#lineage path.edge')].map(p => p.dataset.from + ' -> ' + p.dataset.to)")
                let acmeModels = Set(models)
                let edges = Set(drawn.array?.compactMap(\.string) ?? []).filter { acmeModels.contains(String($0.split(separator: " ").last ?? "")) }
                #expect(edges == expectedEdges)
                #expect(try await page.evaluate("""
                    [...document.querySelectorAll('#lineage path.edge')].every(p => {
                        const n = p.getAttribute('d').match(/-?[0-9.]+/g).map(Number); return n[0] < n[n.length - 2]; })
                    """).bool == true, "every edge runs left to right")
                #expect(try await page.evaluate("document.querySelector('#lineage g.node[data-name=\"fct_orders\"]').dataset.layer").string == "marts")
                #expect(try await page.evaluate("Math.round(document.querySelector('#lineage').getBoundingClientRect().width)").int ?? 0 > 300,
                        "the graph is drawn, not empty")

                let png = try await page.screenshot()
                #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 10_000)
                try png.write(to: URL(fileURLWithPath: screenshot))
                #expect(!(try await page.html()).contains(token), "no secret on the runs page")

                // One page per run: follow the failed run's link.
                try await page.click(orders + " [data-key=run] a")
                try await page.waitForSelector("#run-id")
                #expect(try await text("#run-id") == ordersFailed.id)
                #expect(try await text("#summary [data-key=dataset]") == "acme_portal.orders")
                #expect(try await text("#summary [data-key=status]") == "failed")
                #expect(try await text("#error") == failure)
                #expect(try await text("#counts [data-key=parsed]") == "0")
                #expect(try await text("#steps tr[data-step=\"gate\"] [data-key=status]") == "failed")
                #expect(try await text("#summary [data-key=gate]") == "failed")
                try await page.screenshot().write(to: URL(fileURLWithPath: NSTemporaryDirectory() + "ingestkit-serve-run-\(kind).png"))

                try await page.navigate(to: base + "/runs/" + ordersOK.id)
                try await page.waitForSelector("#run-id")
                #expect(try await text("#summary [data-key=status]") == "succeeded")
                #expect(try await text("#counts [data-key=parsed]") == "120")
                #expect(try await text("#counts [data-key=inserted]") == "120")
                for step in ["preflight", "extract", "load", "models", "gate"] {
                    #expect(try await text("#steps tr[data-step=\"\(step)\"] [data-key=status]") == "succeeded", "step \(step)")
                }
                #expect(try await page.evaluate("document.querySelector('#error')").isNull, "a run that succeeded shows no error")
                #expect(!(try await page.html()).contains(token), "no secret on a run's page")
            }

            // A page echoes what it is asked for masked and escaped: the secret, markup.
            let secretPath = try await Monitoring.get(base + "/runs/" + token)
            #expect(secretPath.status == 404)
            #expect(!secretPath.body.contains(token) && secretPath.body.contains("The ledger has no run"), "\(secretPath.body)")
            let markup = try await Monitoring.get(base + "/runs/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
            #expect(markup.status == 404)
            #expect(!markup.body.contains("<script>") && markup.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(markup.body)")
            for path in ["/", "/runs/" + ordersFailed.id, "/metrics"] {
                #expect(!(try await Monitoring.get(base + path).body.contains(token)), "no secret at \(path)")
            }
            let serveLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            #expect(!serveLog.contains(token))
        }

        /// A run's page shows its rejected items and its schema drift: a real `ingestctl run` of acme_portal.orders
        /// against the messy API (one item with an invalid date, items that gained `discount` and `customer.phone`),
        /// then its page in chromium: the rejected count, the reason naming the artifact and the item, the raw item
        /// (masked and escaped as every text), and the drift keys with their counts, as the ledger kept them.
        @Test(arguments: WarehouseKind.allCases)
        func aRunsPageShowsItsRejectedItemsAndSchemaDrift(_ kind: WarehouseKind) async throws {
            typealias API = MessyOrdersAPI
            let items = [
                // Orders carrying every key the item type reads, so no key vanishes (issue 20 item 2) beside the two added ones.
                API.completeOrder("G-1", ["discount": "5", "customer": #"{"id": "C1", "phone": "555-0100"}"#]),
                API.completeOrder("G-2", ["discount": "7.5"]),
                // A bad item whose id is markup and whose name quotes the API's token.
                API.completeOrder("<i>BAD</i>", ["created_at": API.json("2024-03-10Tnonsense"), "name": API.json("see " + API.token)]),
            ]
            let (test, server) = try await API.start(kind, pages: [items])
            var env = ["INGEST_HOME": test.home, "ACME_PORTAL_API_TOKEN": API.token,
                       "ACME_PORTAL_BASE_URL": try #require(test.settings["ACME_PORTAL_BASE_URL"])]
            if let url = test.settings["WAREHOUSE_URL"] { env["WAREHOUSE_URL"] = url }
            let folder = try Ingestctl.workingDirectory("serve-rejects")
            let run: Run
            do {
                run = try await Self.run("acme_portal.orders", env, in: folder)
                await server.stop()
            } catch {
                await server.stop()
                throw error
            }
            #expect(run.status == "failed", "the default gate allows no reject")
            #expect(run.parsed == 2)
            let stored = try await Ingestctl.run(["rejects", "acme_portal.orders", "--run", run.id, "--output", "json"], environment: env, in: folder)
            let rejects = try #require(try JSONSerialization.jsonObject(with: Data(stored.stdout.utf8)) as? [[String: Any]], "\(stored.stderr)")
            #expect(rejects.count == 1)
            let reason = try #require(rejects.first?["reason"] as? String)
            // A second run, on the built-in demo API, with neither rejects nor drift.
            var demo = env
            demo["ACME_PORTAL_BASE_URL"] = nil
            demo["ACME_PORTAL_DEMO_ROWS"] = "20"
            demo["ACME_PORTAL_DEMO_PORT"] = String(try await Ingestctl.freePort())
            let clean = try await Self.run("acme_portal.orders", demo, in: folder)
            #expect(clean.status == "succeeded")

            let (serve, base) = try await Self.serve(env, in: folder)
            defer { serve.terminate(); serve.waitUntilExit() }
            try await Browser.withBrowser { browser in
                let page = try await browser.newPage()
                func text(_ selector: String) async throws -> String? {
                    try await page.evaluate("document.querySelector(\(Self.js(selector)))?.textContent ?? null").string
                }
                func texts(_ selector: String) async throws -> [String] {
                    try await page.evaluate("[...document.querySelectorAll(\(Self.js(selector)))].map(e => e.textContent)").array?.compactMap(\.string) ?? []
                }
                try await page.navigate(to: base + "/")
                try await page.waitForSelector("#datasets")
                #expect(try await text("#runs tr[data-run=\"\(run.id)\"] [data-key=rejected]") == "1")
                #expect(try await text("#runs tr[data-run=\"\(clean.id)\"] [data-key=rejected]") == "0")

                try await page.click("#runs tr[data-run=\"\(run.id)\"] [data-key=run] a")
                try await page.waitForSelector("#run-id")
                #expect(try await text("#run-id") == run.id)
                #expect(try await text("#counts [data-key=rejected]") == "1")
                #expect(try await text("#counts [data-key=parsed]") == "2")
                #expect(try await text("#counts [data-key=\"drift keys\"]") == "2")
                #expect(try await text("#error")?.contains("max rejected-row ratio: 1 of 3 items rejected") == true)

                // The rejected item: artifact, item, the reason as stored (naming both), the raw item.
                #expect(try await texts("#rejects tbody tr [data-key=artifact]") == ["page_00001"])
                #expect(try await texts("#rejects tbody tr [data-key=item]") == ["3"])
                let shownReason = try #require(try await text("#rejects tr[data-item=\"3\"] [data-key=reason]"))
                #expect(shownReason == reason)
                #expect(shownReason.contains("artifact page_00001, item 3 was rejected") && shownReason.contains("<i>BAD</i>")
                        && shownReason.contains("2024-03-10Tnonsense"), "\(shownReason)")
                let raw = try #require(try await text("#rejects tr[data-item=\"3\"] [data-key=raw]"))
                #expect(raw.contains(#""id":"<i>BAD</i>""#) && raw.contains(#""created_at":"2024-03-10Tnonsense""#), "\(raw)")
                #expect(try await text("#rejects-note")?.contains("1 rejected item, kept in acme_portal.orders__rejects") == true)
                #expect(try await page.evaluate("document.querySelectorAll('#rejects i').length").int == 0, "the item's markup is text, not HTML")

                // The drift, from the ledger: each key read by no item type, its count and an example.
                #expect(try await texts("#drift tbody tr [data-key=path]") == ["customer.phone", "discount"])
                #expect(try await texts("#drift tbody tr [data-key=count]") == ["1", "2"])
                #expect(try await text("#drift tr[data-path=\"customer.phone\"] [data-key=example]") == #""555-0100""#)

                let html = try await page.html()
                #expect(!html.contains(API.token) && raw.contains("see "), "the token in the raw item is masked")
                try await page.screenshot().write(to: URL(fileURLWithPath: NSTemporaryDirectory() + "ingestkit-serve-rejects-\(kind).png"))

                // A run with neither says so.
                try await page.navigate(to: base + "/runs/" + clean.id)
                try await page.waitForSelector("#run-id")
                #expect(try await text("#counts [data-key=rejected]") == "0")
                #expect(try await text("#rejects") == "No item of this run was rejected.")
                #expect(try await text("#drift") == "No schema drift: the items carried no key the item type does not read.")
            }
        }

        /// `from -> to` for each source and ref each model reads.
        static func edges(of models: [any Model.Type]) -> Set<String> {
            var edges = Set<String>()
            for model in models {
                let sql = model.sql
                for source in sql.sources { edges.insert("\(source.qualifiedName) -> \(model.name)") }
                for ref in sql.refs { edges.insert("\(ref.name) -> \(model.name)") }
            }
            return edges
        }

        /// `value` as a JavaScript string literal.
        static func js(_ value: String) -> String {
            String(decoding: try! JSONSerialization.data(withJSONObject: [value]), as: UTF8.self).dropFirst().dropLast().description
        }
    }
}
