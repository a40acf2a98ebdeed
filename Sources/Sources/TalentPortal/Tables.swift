import Foundation
import IngestKit

/// A row of `talent_portal.vacatures`, as the portal shows a vacancy.
/// Text is kept as the portal sends it (padding, blanks); the models clean it.
public struct VacatureRow: Sendable, Hashable {
    /// The Salesforce record id (18 characters).
    public var vacatureId: String
    /// The vacancy number shown to users (`Name`, e.g. VAC-00042).
    public var vacatureNumber: String?
    public var title: String?
    /// The client (`Account__r.Name`); null when the vacancy has no account, blank when the account has no name.
    public var clientName: String?
    public var location: String?
    public var hoursPerWeek: Int?
    public var hourlyRate: ExactDecimal?
    public var publicationDate: CalendarDate?
    public var closingDate: CalendarDate?
    public var status: String?
    public var sourceURL: String?
}

public enum VacaturesTable: SourceTableConfig {
    public static let sourceName = "talent_portal"
    public static let dataset = "vacatures"
    public static let columns: [Column<VacatureRow>] = [
        Column("vacature_id", \.vacatureId, primaryKey: true),
        Column("vacature_number", \.vacatureNumber),
        Column("title", \.title),
        Column("client_name", \.clientName, index: true),
        Column("location", \.location),
        Column("hours_per_week", \.hoursPerWeek),
        Column("hourly_rate", \.hourlyRate),
        Column("publication_date", \.publicationDate, index: true),
        Column("closing_date", \.closingDate),
        Column("status", \.status, index: true),
        Column("source_url", \.sourceURL),
        .bronzeObjectPath(),
        .checksum(),
        .ingestedAt(),
    ]
}
