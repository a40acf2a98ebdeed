import ArgumentParser
import Foundation
import IngestKit

/// `ingestctl doctor`: the checklist for a dataset (IngestKit's `Platform.doctor`), one line per check.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check a dataset before running it: config, variables, stores, DDL, first page, parser, models, ledger.",
        discussion: """
            One line per check, ✓ or ✗ with the fix: config valid; every required variable set; warehouse and
            lakehouse reachable; DDL applies (in a transaction that is rolled back); the extractor yields an
            artifact (first page only, stored nowhere); the parser yields rows with non-empty keys; the models
            build and their tests pass on a scratch warehouse; the ledger table exists.
            Nothing is written to the warehouse or to bronze. Exit status 1 if any check fails.
            """)

    @Argument(help: "The dataset, as source.dataset (e.g. acme_portal.orders).")
    var dataset: String

    func run() async throws {
        let report: Doctor.Report
        do {
            report = try await IngestCtl.platform().doctor(dataset, in: registeredSources)
        } catch {
            throw fail(error)
        }
        print("doctor \(report.dataset):")
        print(report.text)
        if !report.passed { throw ExitCode(1) }
    }
}
