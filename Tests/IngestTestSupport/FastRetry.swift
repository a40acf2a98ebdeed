import IngestKit

/// Retries that keep failure tests short: 4 attempts, 10–40 ms apart (HTTP fetches and S3 calls alike).
public let fastRetry = RetryPolicy(maxAttempts: 4, initialDelay: .milliseconds(10), maxDelay: .milliseconds(40), maxTotalDelay: .seconds(60))
