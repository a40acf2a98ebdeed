import ArgumentParser
import Foundation
import IngestKit

/// `ingestctl models run|test|build|ls|lineage`.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Run, test and build the models (staging → intermediate → marts), list them, draw their lineage.",
        subcommands: [Run.self, Test.self, Build.self, List.self, Lineage.self])

    /// Selection options shared by the model commands (dbt's syntax).
    struct Selection: ParsableArguments {
        @Option(name: [.customShort("s"), .long], help: "Models to select: name, name+, +name, @name, tag:x, layer:marts, source:x; space = union, comma = intersection.")
        var select: String?

        @Option(help: "Models to leave out (same syntax).")
        var exclude: String?
    }

    /// The options of run/test/build: the selection and how many at once.
    struct Invocation: ParsableArguments {
        @OptionGroup var selection: Selection
        @Option(help: "Models (or tests) run at once (default 4 on PostgreSQL, 1 on SQLite).") var threads: Int?

        /// Runs `command` and exits non-zero unless it did all it was asked (`ModelResults.completed`).
        func invoke(_ command: ModelRunner.Command) async throws {
            let platform = try Platform.commandLine()
            let results = try await platform.models(command, in: registeredSources, select: selection.select, exclude: selection.exclude, threads: threads)
            print(results.text)
            print("results: \(platform.resultsFolder)/run_results.json")
            if !results.completed { throw ExitCode(1) }
        }
    }

    struct Run: IngestCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Build the selected models, each swapped in atomically; no tests.")
        @OptionGroup var options: Invocation
        func execute() async throws { try await options.invoke(.run) }
    }

    struct Test: IngestCommand {
        static let configuration = CommandConfiguration(commandName: "test", abstract: "Run the selected models' data tests on the published models.")
        @OptionGroup var options: Invocation
        func execute() async throws { try await options.invoke(.test) }
    }

    struct Build: IngestCommand {
        static let configuration = CommandConfiguration(
            commandName: "build",
            abstract: "Write-audit-publish: build into shadow relations, test there, publish only when no error-severity test fails.")
        @OptionGroup var options: Invocation
        func execute() async throws { try await options.invoke(.build) }
    }

    struct List: IngestCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the models (the manifest as JSON with --output json).")
        @OptionGroup var selection: Selection
        @Option(help: "text or json.") var output: OutputFormat = .text

        func execute() async throws {
            let graph = try registeredSources.modelGraph()
            let names = try ModelSelector(graph).select(selection.select, exclude: selection.exclude)
            let catalog = ModelCatalog(graph)
            switch output {
            case .json: print(String(decoding: try catalog.manifestJSON(names), as: UTF8.self))
            case .text:
                let entries = catalog.entries(names)
                if !entries.isEmpty { print(ConsoleText.models(entries)) }
            }
        }
    }

    struct Lineage: IngestCommand {
        static let configuration = CommandConfiguration(commandName: "lineage", abstract: "Print the lineage of the models as a Mermaid graph.")
        @OptionGroup var selection: Selection

        func execute() async throws {
            let graph = try registeredSources.modelGraph()
            let names = try ModelSelector(graph).select(selection.select, exclude: selection.exclude)
            print(ModelCatalog(graph).mermaid(names), terminator: "")
        }
    }
}
