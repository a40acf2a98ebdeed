import PackagePlugin

/// Generates `RegisteredSources.swift` for `ingestctl`: one `import` and one registration per
/// source module, i.e. per folder `Sources/Sources/<Name>/` (Package.swift makes each a target
/// and a dependency of `ingestctl`). By convention the module declares
/// `public struct <Name>Source: Source` with `public init()`; a module that does not fails the
/// build on a line that names its folder and the declaration it needs.
@main
struct SourceRegistryPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let modules = target.dependencies.compactMap { dependency -> String? in
            guard case .target(let source) = dependency, source.directory.string.contains("/Sources/Sources/") else { return nil }
            return source.name
        }.sorted()
        var text = "// Generated at build time by Plugins/SourceRegistry from the folders in Sources/Sources/. Do not edit.\n"
        text += "import IngestKit\n" + modules.map { "import \($0)\n" }.joined()
        text += "\n/// The sources `ingestctl` knows: every folder in Sources/Sources/.\nlet registeredSources = SourceRegistry([\n"
        text += modules.map {
            "    \($0)Source(), // Sources/Sources/\($0)/ must declare `public struct \($0)Source: Source` with `public init()`\n"
        }.joined()
        text += "])\n\n/// The folders this build registered, to notice one added since (see `SourceFolders`).\n"
        text += "let registeredSourceFolders: Set<String> = [" + modules.map { "\"\($0)\"" }.joined(separator: ", ") + "]\n"
        let output = context.pluginWorkDirectory.appending("RegisteredSources.swift")
        // The text is part of the command line, so the file is rewritten whenever the list changes.
        return [.buildCommand(displayName: "Registering sources: \(modules.joined(separator: ", "))",
                              executable: Path("/bin/sh"),
                              arguments: ["-c", "printf '%s' \"$1\" > \"$2\"", "sh", text, output.string],
                              outputFiles: [output])]
    }
}
