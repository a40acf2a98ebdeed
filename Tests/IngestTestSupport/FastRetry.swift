import IngestKit

extension RetryPolicy {
    /// Retries that keep failure tests short: `attempts` attempts with waits of 10–40 ms, given up when the
    /// waits would pass `bound`. The bound is what differs between the tests that use it: the HTTP fault
    /// tests need 60 s (a Retry-After past it gives up at once), the S3 tests one no busy machine reaches
    /// (`TestS3.fastRetry`, 600 s: a loaded CI machine once took 94 s for four attempts).
    public static func fast(attempts: Int = 4, within bound: Duration = .seconds(60)) -> RetryPolicy {
        RetryPolicy(maxAttempts: attempts, initialDelay: .milliseconds(10), maxDelay: .milliseconds(40), maxTotalDelay: bound)
    }
}

/// `RetryPolicy.fast()`: 4 attempts within 60 s, for the HTTP failure tests.
public let fastRetry = RetryPolicy.fast()
