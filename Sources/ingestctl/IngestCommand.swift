import ArgumentParser
import Foundation
import IngestKit

/// A subcommand of `ingestctl`. It writes `execute()`; every error it throws takes one path:
/// an `ExitCode` passes through, anything else is printed as one redacted line (`error: …`,
/// no stack trace, no secrets) and exits with status 2.
protocol IngestCommand: AsyncParsableCommand {
    func execute() async throws
}

extension IngestCommand {
    func run() async throws {
        // A file past the process's size limit (ulimit -f) fails its write with EFBIG, which bronze reports
        // as "file too large" naming the artifact, instead of the signal ending the process unexplained.
        signal(SIGXFSZ, SIG_IGN)
        do {
            try await execute()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw failure(error)
        }
    }
}

/// The one error path: prints `error: …` as one redacted line and returns exit status 2.
func failure(_ error: any Error) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(error.redactedDescription)\n".utf8))
    return ExitCode(2)
}

/// Prints `value` as pretty JSON (the `--output json` form).
func printJSON<T: Encodable>(_ value: T) throws {
    print(try ConsoleText.json(value))
}

/// `--quiet` and `--log-format`, shared by the commands that run for a while.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print nothing but warnings and errors (no progress, no summary).")
    var quiet = false

    @Option(name: .customLong("log-format"), help: "text, or json: one JSON object a line on stderr, for log shippers.")
    var logFormat: OutputStyle.LogFormat = .text

    var style: OutputStyle { OutputStyle(quiet: quiet, logFormat: logFormat) }
}

/// `--steps extract,load,models,gate`, refused in `validate()` when it names an unknown step
/// (as any error: `error: unknown step …` naming the steps to choose from, exit status 2).
struct StepList: ExpressibleByArgument {
    let parsed: Result<Set<RunStep>, any Error>

    init?(argument: String) {
        parsed = Result { try RunOptions.steps(argument) }
    }

    static var defaultCompletionKind: CompletionKind { .list(RunStep.selectable.map(\.rawValue)) }

    func validate() throws {
        if case .failure(let error) = parsed { throw failure(error) }
    }
}

extension OutputStyle.LogFormat: ExpressibleByArgument {}
extension OutputFormat: ExpressibleByArgument {}
extension SQLDialect: ExpressibleByArgument {}
