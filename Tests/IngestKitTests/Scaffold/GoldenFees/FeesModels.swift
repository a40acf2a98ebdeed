import IngestKit

/// 1:1 with `golden_fees.fees`: rename, trim and cast here.
public enum StgGoldenFeesFees: Model {
    public static let name = "stg_golden_fees__fees"
    public static let layer = ModelLayer.staging
    public static let tags = ["golden_fees", "fees"]
    public static let description = "golden_fees.fees as loaded into silver, one row per record."
    public static let sql: SQL = """
        select
            fee_id,
            permit_number,
            paid_on,
            amount,
            waived,
            updated_at,
            tags,
            ingested_at
        from \(source: GoldenFeesSource.fees)
        """
    public static let columns = [
        ModelColumn("fee_id", "the record's key", tests: [.notNull, .unique]),
    ]
}

/// fees with business logic applied (computed fields, cleaned values): one row per record.
public enum IntGoldenFeesFeesEnriched: Model {
    public static let name = "int_golden_fees__fees_enriched"
    public static let layer = ModelLayer.intermediate
    public static let tags = ["golden_fees", "fees"]
    public static let description = "fees with business logic applied, one row per record."
    public static let sql: SQL = """
        select
            fee_id,
            permit_number,
            paid_on,
            amount,
            waived,
            updated_at,
            tags,
            ingested_at
        from \(ref: StgGoldenFeesFees.self)
        """
    public static let columns = [
        ModelColumn("fee_id", "the record's key", tests: [.notNull, .unique]),
    ]
}

/// The published fact: one row per record, with a surrogate key (same on SQLite and PostgreSQL).
public enum FctGoldenFeesFees: Model {
    public static let name = "fct_golden_fees__fees"
    public static let layer = ModelLayer.marts
    public static let tags = ["golden_fees"]
    public static let description = "fees, one row per record."
    public static let sql: SQL = """
        select
            \(Portable.hashedKey("fee_id")) as fees_sk,
            fee_id,
            permit_number,
            paid_on,
            amount,
            waived,
            updated_at,
            tags,
            ingested_at
        from \(ref: IntGoldenFeesFeesEnriched.self)
        """
    public static let columns = [
        ModelColumn("fees_sk", "surrogate key of the record", tests: [.notNull, .unique]),
    ]
}
