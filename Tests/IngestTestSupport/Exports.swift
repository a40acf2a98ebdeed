// The repository's tests use the testing library source authors use (TestPlatform, RecordedAPI, Fixtures) too.
@_exported import IngestTesting
