import ArgumentParser
import IngestKit

/// `ingestctl env [<source>] [--platform]`: the variables of the platform and of the registered sources,
/// as the `.env.example` files (the root one: the platform's; each source folder's: that source's).
struct EnvCommand: IngestCommand {
    static let configuration = CommandConfiguration(
        commandName: "env",
        abstract: "Print every variable of the platform and of every registered source, with its purpose (secrets marked).",
        discussion: """
            With a source: that source's variables, the text of its Sources/Sources/<Name>/.env.example. With \
            --platform: the platform's own, the text of the root .env.example. A test keeps both files equal to \
            this output. `swift run ingestctl env > .env` writes a template of every variable.
            """)

    @Argument(help: "A registered source (e.g. acme_portal): print only its variables.")
    var source: String?

    @Flag(help: "Print only the platform's own variables (the root .env.example).")
    var platform = false

    func execute() async throws {
        if platform {
            guard source == nil else { throw ValidationError("give a source or --platform, not both") }
            print(EnvironmentFile.renderPlatform(), terminator: "")
        } else if let source {
            guard let found = registeredSources.sources.first(where: { $0.name == source }) else {
                throw IngestError("no registered source is named \(source) (registered: \(registeredSources.sources.map(\.name).sorted().joined(separator: ", ")))",
                                  fix: "run `ingestctl list`; a new folder needs a build first")
            }
            print(EnvironmentFile.render(source: found.name, variables: found.variables), terminator: "")
        } else {
            print(EnvironmentFile.render(sources: registeredSources.sources), terminator: "")
        }
    }
}
