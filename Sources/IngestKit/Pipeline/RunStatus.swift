/// A status (or a step, `RunStep`) stored and printed as its name (`"succeeded"`, `"skipped"`, …). It compares with its
/// name as text too, so `report.status == "failed"` reads as it always did.
public protocol NamedStatus: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible where RawValue == String {}

extension NamedStatus {
    public var description: String { rawValue }

    public static func == (lhs: Self, rhs: String) -> Bool { lhs.rawValue == rhs }
    public static func != (lhs: Self, rhs: String) -> Bool { lhs.rawValue != rhs }
}

/// `step?.status == "skipped"`: a missing status equals no name.
public func == <Status: NamedStatus>(lhs: Status?, rhs: String) -> Bool { lhs?.rawValue == rhs }
public func != <Status: NamedStatus>(lhs: Status?, rhs: String) -> Bool { lhs?.rawValue != rhs }
/// `report.steps.map(\.status) == ["succeeded", "skipped"]`: the names in order.
public func == <Status: NamedStatus>(lhs: [Status], rhs: [String]) -> Bool { lhs.map(\.rawValue) == rhs }
/// `record?.steps.map(\.name) == ["preflight", "extract"]`: a missing list equals no names.
public func == <Status: NamedStatus>(lhs: [Status]?, rhs: [String]) -> Bool { lhs?.map(\.rawValue) == rhs }

/// Where a run stands: in the report, the ledger (`staging.ingestion_state.status`) and the pages.
public enum RunStatus: String, NamedStatus, CaseIterable {
    /// Started, not finished (or its steps run in separate processes and the gate has not run yet).
    case running
    case succeeded
    case failed
}

/// How one step of a run ended (`running` while a process is inside it).
public enum StepStatus: String, NamedStatus, CaseIterable {
    case running
    case succeeded
    case failed
    case skipped
}
