import IngestKit

/// Retries that keep failure tests short: 4 attempts, 10–40 ms apart (HTTP fetches and S3 calls alike).
/// The time bound is one no busy machine reaches: tests with it are about what is retried and how
/// often, and a loaded CI machine once took 94 s for four S3 attempts.
public let fastRetry = RetryPolicy(maxAttempts: 4, initialDelay: .milliseconds(10), maxDelay: .milliseconds(40), maxTotalDelay: .seconds(600))
