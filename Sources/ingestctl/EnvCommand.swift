import ArgumentParser
import IngestKit

/// `ingestctl env`: every variable of the platform and of every registered source, as `.env.example`.
struct EnvCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env",
        abstract: "Print every variable of the platform and of every registered source, with its purpose (secrets marked).",
        discussion: "The output is .env.example: `swift run ingestctl env > .env.example` after a source's variables change.")

    func run() async throws {
        print(EnvironmentFile.render(sources: registeredSources.sources), terminator: "")
    }
}
