import IngestKit

/// Retries that keep HTTP failure tests short: 4 attempts, 10–40 ms apart, within 60 s (the fault
/// tests rely on that bound: a Retry-After past it gives up at once). S3 tests use `TestS3.fastRetry`,
/// whose bound no busy machine reaches.
public let fastRetry = RetryPolicy(maxAttempts: 4, initialDelay: .milliseconds(10), maxDelay: .milliseconds(40), maxTotalDelay: .seconds(60))
