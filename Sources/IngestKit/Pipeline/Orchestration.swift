import IngestCommon

/// How a scheduler runs a dataset: the defaults of its generated Airflow DAG
/// (`ingestctl airflow dag`), declared in Swift beside the dataset and overridable by flags.
public struct Orchestration: Sendable, Hashable {
    /// A five-field cron expression in UTC; each run covers the interval up to its tick
    /// (Airflow's `data_interval_start`/`data_interval_end`).
    public var schedule: String
    /// Retries of a failed task; each one continues the same run id.
    public var retries: Int
    /// Delay before the first retry, in seconds; it doubles with each retry up to `maxRetryDelaySeconds`.
    public var retryDelaySeconds: Int
    public var maxRetryDelaySeconds: Int
    /// A task running longer than this (seconds) is stopped and counts as failed.
    public var executionTimeoutSeconds: Int
    /// The Airflow pool the tasks share; `nil`: one pool per source, named after it,
    /// so one API's concurrency is shared by all its datasets' DAGs.
    public var pool: String?
    /// Tags besides `ingestkit`, the source and the dataset.
    public var tags: [String]
    /// The first day (UTC) the DAG has runs for: a backfill reaches no further back.
    public var startDate: CalendarDate

    public init(schedule: String = "0 2 * * *", retries: Int = 3, retryDelaySeconds: Int = 60, maxRetryDelaySeconds: Int = 1_800,
                executionTimeoutSeconds: Int = 3_600, pool: String? = nil, tags: [String] = [],
                startDate: CalendarDate = CalendarDate(year: 2024, month: 1, day: 1)!) {
        self.startDate = startDate
        self.schedule = schedule
        self.retries = retries
        self.retryDelaySeconds = retryDelaySeconds
        self.maxRetryDelaySeconds = maxRetryDelaySeconds
        self.executionTimeoutSeconds = executionTimeoutSeconds
        self.pool = pool
        self.tags = tags
    }

    /// At most one run of a dataset at a time (runs hold the dataset lock anyway).
    public static let maxActiveRuns = 1
}
