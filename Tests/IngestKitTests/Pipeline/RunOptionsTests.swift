import IngestKit
import Testing

/// The rules about which steps run, without a run: they live with the options, not inside `Pipeline.run`.
@Suite struct RunOptionsTests {
    @Test func fromRunAndReplayImplyNoExtract() {
        #expect(!RunOptions(fromRun: "r1").steps.contains(.extract))
        #expect(!RunOptions(steps: [.extract, .load], replay: ["r1", "r2"]).steps.contains(.extract))
        #expect(RunOptions(steps: [.extract, .load]).steps == [.extract, .load])
    }

    @Test func theGateRunsInAOneProcessRunOrWhenSelected() {
        #expect(RunOptions(steps: [.load]).runsGate)
        #expect(!RunOptions(steps: [.load], runId: "r1").runsGate)
        #expect(RunOptions(steps: [.gate], runId: "r1").runsGate)
    }

    @Test func stepsParseAndAnUnknownOneNamesTheChoices() throws {
        #expect(try RunOptions.steps("extract, load,preflight") == [.extract, .load])
        let error = #expect(throws: IngestError.self) { try RunOptions.steps("extract,publish") }
        #expect(error?.description.contains("choose among extract, load, models, gate") == true)
    }
}
