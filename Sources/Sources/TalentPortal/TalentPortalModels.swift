import IngestKit

/// 1:1 with `talent_portal.vacatures`: trims only.
public enum StgTalentPortalVacatures: Model {
    public static let name = "stg_talent_portal__vacatures"
    public static let layer = ModelLayer.staging
    public static let tags = ["talent_portal"]
    public static let description = "Vacancies as loaded into silver, one row per vacancy."
    public static let sql: SQL = """
        select
            vacature_id,
            vacature_number,
            trim(title) as title,
            client_name,
            trim(location) as location,
            hours_per_week,
            hourly_rate,
            publication_date,
            closing_date,
            status,
            source_url,
            ingested_at
        from \(source: TalentPortalSource.vacatures)
        """
    public static let columns = [ModelColumn("vacature_id", "the Salesforce record id", tests: [.notNull, .unique])]
}

/// Vacancies with expiry, days open, and the client cleaned (NULL or blank → "Unknown").
public enum IntTalentPortalVacaturesEnriched: Model {
    public static let name = "int_talent_portal__vacatures_enriched"
    public static let layer = ModelLayer.intermediate
    public static let tags = ["talent_portal"]
    public static let sql: SQL = """
        select
            vacature_id,
            vacature_number,
            title,
            \(Portable.blankToDefault("client_name")) as client_clean,
            location,
            hours_per_week,
            hourly_rate,
            publication_date,
            closing_date,
            \(Portable.blankToDefault("lower(status)", "unknown")) as status_clean,
            case when closing_date is not null and closing_date < \(Portable.currentDate) then 1 else 0 end as is_expired,
            \(Portable.daysSince("publication_date")) as days_open,
            ingested_at
        from \(ref: StgTalentPortalVacatures.self)
        """
    public static let columns = [
        ModelColumn("client_clean", "the client's name; NULL or blank become Unknown", tests: [.notNull]),
        ModelColumn("is_expired", "1 when the closing date has passed (UTC), else 0", tests: [.notNull, .acceptedValues(["0", "1"])]),
        ModelColumn("days_open", "whole days since publication"),
    ]
}

/// One row per client.
public enum DimClient: Model {
    public static let name = "dim_client"
    public static let layer = ModelLayer.marts
    public static let tags = ["talent_portal"]
    public static let description = "Clients that publish vacancies on the talent portal."
    public static let sql: SQL = """
        select \(Portable.hashedKey("client_name")) as client_sk, client_name
        from (select distinct client_clean as client_name from \(ref: IntTalentPortalVacaturesEnriched.self)) as clients
        """
    public static let columns = [ModelColumn("client_sk", "surrogate key of the client", tests: [.notNull, .unique])]
}

/// One row per vacancy, joined to its client by surrogate key.
public enum FctVacatures: Model {
    public static let name = "fct_vacatures"
    public static let layer = ModelLayer.marts
    public static let tags = ["talent_portal"]
    public static let description = "Vacancies with their client key, hours, rate, dates and expiry."
    public static let sql: SQL = """
        select
            \(Portable.hashedKey("enriched.vacature_id")) as vacature_sk,
            dim_client.client_sk,
            enriched.vacature_id,
            enriched.vacature_number,
            enriched.hours_per_week,
            enriched.hourly_rate,
            enriched.publication_date,
            enriched.closing_date,
            enriched.status_clean,
            enriched.is_expired,
            enriched.days_open,
            enriched.ingested_at
        from \(ref: IntTalentPortalVacaturesEnriched.self) as enriched
        left join \(ref: DimClient.self) as dim_client on enriched.client_clean = dim_client.client_name
        """
    public static let columns = [
        ModelColumn("vacature_sk", "surrogate key of the vacancy", tests: [.notNull, .unique]),
        ModelColumn("client_sk", "the vacancy's client", tests: [.notNull, .relationships(to: DimClient.self, field: "client_sk")]),
    ]
}
