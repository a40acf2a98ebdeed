import IngestKit

/// A row of `golden_fees.fees`, one per record, and the record as the API sends it: an element of the array that is the
/// response of `GET /fees.json` (every field is at the top level, so one declaration serves both).
/// Inferred by `ingestctl new` from a sample of 3 record(s). Non-optional fields are NOT NULL; keys
/// the row does not read are reported as schema drift in the run report.
public struct FeesRow: Sendable, Hashable, Decodable {
    public var feeId: Int64  // the primary key
    public var permitNumber: String?
    public var paidOn: CalendarDate?
    public var amount: ExactDecimal?
    public var waived: Bool?
    public var updatedAt: LocalTimestamp?
    public var tags: JSONText?

    enum CodingKeys: String, CodingKey {
        case feeId = "fee_id"
        case permitNumber = "permit_number"
        case paidOn = "paid_on"
        case amount = "amount"
        case waived = "waived"
        case updatedAt = "updated_at"
        case tags = "tags"
    }
}

extension GoldenFeesSource {
    /// The columns of `golden_fees.fees`: one per field; the SDK adds
    /// bronze_object_path, checksum_sha256 and ingested_at after them.
    public static let feesColumns: [Column<FeesRow>] = [
        // CONFIRM: ingestctl new guessed this primary key from the sample; make sure it identifies a record.
        Column("fee_id", \.feeId, primaryKey: true),
        Column("permit_number", \.permitNumber),
        Column("paid_on", \.paidOn),
        Column("amount", \.amount),
        Column("waived", \.waived),
        Column("updated_at", \.updatedAt),
        Column("tags", \.tags),
    ]
}
