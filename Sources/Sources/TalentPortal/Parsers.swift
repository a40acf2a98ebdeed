import Foundation
import IngestKit

extension TalentPortalSource {
    /// Maps the captured Aura responses (`xhr_json`) to vacancy rows, reading the
    /// records from `context.globalValueProviders[type=$Record]`, not from
    /// `actions[].returnValue` (which holds only the ids of the page).
    /// DOM snapshots of the same run are kept in bronze for the record and yield no rows.
    @Sendable public static func parseVacatures(_ artifact: StoredArtifact) throws -> [VacatureRow] {
        guard artifact.provenance.extractionMethod == .xhrJSON else { return [] }
        let payload: AuraPayload
        let records: [AuraRecord]
        do {
            payload = try AuraPayload(artifact.bytes)
            records = try payload.records()
        } catch let error as IngestError {
            throw ParseError(artifactId: artifact.artifactId, reason: error.description)
        }
        let portal = origin(of: artifact.url)
        return try records.filter { ($0.apiName ?? VacatureFields.objectApiName) == VacatureFields.objectApiName }.map { record in
            func date(_ field: String) throws -> CalendarDate? {
                guard let text = record.text(field) else { return nil }
                guard let date = CalendarDate(iso: text) else {
                    throw ParseError(artifactId: artifact.artifactId, reason: "vacancy \(record.id) has \(field) \"\(text)\", not a date")
                }
                return date
            }
            return VacatureRow(
                vacatureId: record.id,
                vacatureNumber: record.text(VacatureFields.number),
                title: record.text(VacatureFields.title),
                clientName: record.text(VacatureFields.clientName),
                location: record.text(VacatureFields.location),
                hoursPerWeek: record.int(VacatureFields.hours),
                hourlyRate: record.exactDecimal(VacatureFields.rate),
                publicationDate: try date(VacatureFields.publicationDate),
                closingDate: try date(VacatureFields.closingDate),
                status: record.text(VacatureFields.status),
                sourceURL: portal.map { "\($0)/s/vacature/\(record.id)" })
        }
    }

    /// `scheme://host[:port]` of a URL.
    static func origin(of url: String) -> String? {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme, let host = parts.host else { return nil }
        return "\(scheme)://\(host)" + (parts.port.map { ":\($0)" } ?? "")
    }
}
