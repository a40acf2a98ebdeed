import IngestKit

extension GoldenFeesSource {
    /// `golden_fees.fees`: `GET /fees.json`, one row per record in `golden_fees.fees`.
    public static let fees = dataset(
        "fees",
        columns: feesColumns,
        // The declarative REST definition from the sample request: `GOLDEN_FEES_BASE_URL` + `/fees.json`.
        // Every option (paginators, `stop:`, `incremental:`, limits): Docs/AddingASource.md, "An API dataset with no extractor code".
        extractor: RESTExtractor(
            baseURLVariable: "GOLDEN_FEES_BASE_URL",
            path: "/fees.json",
            query: [:],
            auth: .none,
            paginator: .single,
            recordsPath: nil),
        parse: .records(at: nil),   // each record is a FeesRow
        watermark: .latest(\.updatedAt),   // the run's watermark: the latest `updated_at` (for an `incremental:` window)
        description: "golden_fees.fees from `GET /fees.json`: one row per record in `golden_fees.fees`.")
}
