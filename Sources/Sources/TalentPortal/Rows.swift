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
