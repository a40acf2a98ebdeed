// A source imports IngestKit only; the foundations come with it.
@_exported import IngestCommon
