import ArgumentParser
import Foundation
import IngestKit

/// `ingestctl models run|test|build|ls|lineage`.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Run, test and build the models (staging → intermediate → marts), list them, draw their lineage.",
        subcommands: [ModelsRun.self, ModelsTest.self, ModelsBuild.self, ModelsList.self, ModelsLineage.self])
}

/// Selection options shared by the model commands (dbt's syntax).
struct Selection: ParsableArguments {
    @Option(name: [.customShort("s"), .long], help: "Models to select: name, name+, +name, @name, tag:x, layer:marts, source:x; space = union, comma = intersection.")
    var select: String?

    @Option(help: "Models to leave out (same syntax).")
    var exclude: String?
}

/// Runs one of run/test/build and exits non-zero unless it fully succeeded.
func runModels(_ command: ModelRunner.Command, _ selection: Selection, threads: Int?) async throws {
    do {
        let platform = try IngestCtl.platform()
        let results = try await platform.models(command, in: registeredSources, select: selection.select, exclude: selection.exclude, threads: threads)
        print(results.text)
        print("results: \(platform.resultsFolder)/run_results.json")
        let ok = command == .build ? results.succeeded && results.published : results.succeeded
        if !ok { throw ExitCode(1) }
    } catch let exit as ExitCode {
        throw exit
    } catch {
        throw fail(error)
    }
}

struct ModelsRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Build the selected models, each swapped in atomically; no tests.")
    @OptionGroup var selection: Selection
    @Option(help: "Models built at once (default 4 on PostgreSQL, 1 on SQLite).") var threads: Int?
    func run() async throws { try await runModels(.run, selection, threads: threads) }
}

struct ModelsTest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "test", abstract: "Run the selected models' data tests on the published models.")
    @OptionGroup var selection: Selection
    @Option(help: "Tests run at once.") var threads: Int?
    func run() async throws { try await runModels(.test, selection, threads: threads) }
}

struct ModelsBuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Write-audit-publish: build into shadow relations, test there, publish only when no error-severity test fails.")
    @OptionGroup var selection: Selection
    @Option(help: "Models built at once (default 4 on PostgreSQL, 1 on SQLite).") var threads: Int?
    func run() async throws { try await runModels(.build, selection, threads: threads) }
}

struct ModelsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the models (the manifest as JSON with --output json).")
    @OptionGroup var selection: Selection
    @Option(help: "text or json.") var output: String = "text"

    func run() async throws {
        do {
            let graph = try registeredSources.modelGraph()
            let names = try ModelSelector(graph).select(selection.select, exclude: selection.exclude)
            let catalog = ModelCatalog(graph)
            if output == "json" {
                print(String(decoding: try catalog.manifestJSON(names), as: UTF8.self))
            } else {
                for entry in catalog.entries(names) {
                    print("\(entry.name)\t\(entry.layer)\t\(entry.materialization)\t\(entry.tags.joined(separator: ","))\t← \((entry.dependsOnSources + entry.dependsOnModels).joined(separator: ", "))")
                }
            }
        } catch {
            throw fail(error)
        }
    }
}

struct ModelsLineage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lineage", abstract: "Print the lineage of the models as a Mermaid graph.")
    @OptionGroup var selection: Selection

    func run() async throws {
        do {
            let graph = try registeredSources.modelGraph()
            let names = try ModelSelector(graph).select(selection.select, exclude: selection.exclude)
            print(ModelCatalog(graph).mermaid(names), terminator: "")
        } catch {
            throw fail(error)
        }
    }
}
