import IngestKit

/// The talent_portal source: vacancies from a Salesforce Experience Cloud
/// (Lightning/Aura) talent portal, read with a real headless chromium.
///
/// With no `TALENT_PORTAL_BASE_URL`, it serves a built-in demo portal on
/// 127.0.0.1 (a page whose JavaScript loads vacancies through Aura XHR calls,
/// with a "next page" button) and browses that, so the source runs with no setup.
public struct TalentPortalSource: Source {
    public init() {}

    public static let sourceName = "talent_portal"

    public var datasets: [Dataset] { [Self.vacatures] }

    public var models: [any Model.Type] {
        [StgTalentPortalVacatures.self, IntTalentPortalVacaturesEnriched.self, DimClient.self, FctVacatures.self]
    }

    public var variables: [SourceVariable] {
        [
            SourceVariable("TALENT_PORTAL_BASE_URL", "the portal's base URL; unset: a built-in demo portal on 127.0.0.1", example: "https://talent.example.my.site.com"),
            SourceVariable("TALENT_PORTAL_LIST_PATH", "path of the vacancy list page (default /s/vacatures)"),
            SourceVariable("TALENT_PORTAL_DEMO_ROWS", "vacancies the demo portal serves (default 137, 25 per page)"),
            SourceVariable("TALENT_PORTAL_DEMO_PORT", "port of the demo portal on 127.0.0.1 (default 8767)"),
            SourceVariable("TALENT_PORTAL_DEMO_REVISION", "demo data revision; each step retitles every 10th vacancy (default 0)"),
            SourceVariable("TALENT_PORTAL_DEMO_DELAY_MS", "demo portal only: delay before each Aura answer, in milliseconds (default 0)"),
            SourceVariable("CHROMIUM_PATH", "the chromium binary (default: /usr/bin/chromium or another usual location)"),
            SourceVariable("INGEST_BROWSER_TIMEOUT_SECONDS", "longest wait for a page, selector, response or download (default 20)"),
        ]
    }
}

extension TalentPortalSource {
    /// `talent_portal.vacatures`: one row per vacancy; the watermark is the latest publication date.
    public static let vacatures = dataset(
        "vacatures",
        columns: [
            Column("vacature_id", \VacatureRow.vacatureId, primaryKey: true),
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
        ],
        extractor: TalentPortalExtractor(),
        parse: .rows(parseVacatures),
        watermark: .latest(\.publicationDate))
}
