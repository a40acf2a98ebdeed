import Foundation
import IngestCommon

/// How fresh a dataset's silver table must be, declared beside the dataset (like dbt's source
/// freshness): the age of the newest value of `column` against a warn and an error threshold.
///
/// ```swift
/// public var freshness: DatasetFreshness { DatasetFreshness(warnAfterHours: 24, errorAfterHours: 48) }
/// ```
/// The default checks nothing (no thresholds): `ingestctl freshness` then shows the age only.
public struct DatasetFreshness: Sendable, Hashable {
    /// A timestamp or date column of the silver table; `nil`: its ingested-at column (`ingested_at`),
    /// which keeps the time a row was first loaded.
    public var column: String?
    /// Hours after which the dataset is reported `warn`; `nil` for none.
    public var warnAfterHours: Double?
    /// Hours after which the dataset is reported `error` (and `ingestctl freshness` exits 1); `nil` for none.
    public var errorAfterHours: Double?

    public init(column: String? = nil, warnAfterHours: Double? = nil, errorAfterHours: Double? = nil) {
        self.column = column
        self.warnAfterHours = warnAfterHours
        self.errorAfterHours = errorAfterHours
    }
}

/// One dataset's freshness, as `ingestctl freshness` prints it.
public struct FreshnessResult: Sendable, Codable, Hashable {
    public enum Status: String, Sendable, Codable {
        /// Younger than every declared threshold.
        case pass
        /// Past the warn threshold.
        case warn
        /// Past the error threshold, or no rows while an error threshold is declared.
        case error
        /// No threshold declared.
        case unchecked
    }

    public var dataset: String
    /// `schema.table` of the silver table.
    public var table: String
    public var column: String
    /// The newest value (`YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC); `nil` when the table has no rows.
    public var newest: String?
    /// Seconds between the newest value and `checkedAt`.
    public var ageSeconds: Double?
    public var warnAfterHours: Double?
    public var errorAfterHours: Double?
    public var status: Status
    /// Why, in words (e.g. "26.0 h old, past the warn threshold of 24 h").
    public var message: String
    public var checkedAt: String

    enum CodingKeys: String, CodingKey {
        case dataset, table, column, newest, status, message
        case ageSeconds = "age_seconds"
        case warnAfterHours = "warn_after_hours"
        case errorAfterHours = "error_after_hours"
        case checkedAt = "checked_at"
    }

    /// Encodes optionals as explicit nulls so readers can rely on every key being present.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(dataset, forKey: .dataset)
        try c.encode(table, forKey: .table)
        try c.encode(column, forKey: .column)
        try c.encode(newest, forKey: .newest)
        try c.encode(ageSeconds, forKey: .ageSeconds)
        try c.encode(warnAfterHours, forKey: .warnAfterHours)
        try c.encode(errorAfterHours, forKey: .errorAfterHours)
        try c.encode(status, forKey: .status)
        try c.encode(message, forKey: .message)
        try c.encode(checkedAt, forKey: .checkedAt)
    }

    /// The newest value of `column` in the silver table (a date counts from its midnight UTC); `nil` when it has no rows.
    static func newest(_ column: String, of table: TableSchema, in warehouse: any Warehouse) async throws -> Date? {
        let dialect = warehouse.dialect
        let rows = try await warehouse.execute(
            "SELECT MAX(\(dialect.quote(column))) AS \"newest\" FROM \(dialect.qualified(table.schema, table.table))")
        let text = (rows.first?["newest"] ?? nil).flatMap { $0.isEmpty ? nil : $0 }
        return text.flatMap { LocalTimestamp(iso: $0.count == 10 ? $0 + " 00:00:00" : $0)?.date }
    }

    /// Judges `newest` against the thresholds at time `now`.
    public static func judge(dataset: String, table: String, column: String, newest: Date?, freshness: DatasetFreshness,
                             now: Date) -> FreshnessResult {
        func hours(_ value: Double) -> String { String(format: "%g h", value) }
        var result = FreshnessResult(dataset: dataset, table: table, column: column, newest: newest.map { LocalTimestamp($0).description },
                                     ageSeconds: newest.map { now.timeIntervalSince($0) }, warnAfterHours: freshness.warnAfterHours,
                                     errorAfterHours: freshness.errorAfterHours, status: .pass, message: "",
                                     checkedAt: LocalTimestamp(now).description)
        guard let age = result.ageSeconds else {
            result.status = freshness.errorAfterHours != nil ? .error : (freshness.warnAfterHours != nil ? .warn : .unchecked)
            result.message = "no rows in \(table): run `ingestctl run \(dataset)`"
            return result
        }
        let ageText = String(format: "%.1f h old", age / 3600)
        if let error = freshness.errorAfterHours, age > error * 3600 {
            result.status = .error
            result.message = "\(ageText), past the error threshold of \(hours(error))"
        } else if let warn = freshness.warnAfterHours, age > warn * 3600 {
            result.status = .warn
            result.message = "\(ageText), past the warn threshold of \(hours(warn))"
        } else if freshness.warnAfterHours == nil && freshness.errorAfterHours == nil {
            result.status = .unchecked
            result.message = "\(ageText) (no threshold declared)"
        } else {
            result.status = .pass
            result.message = ageText
        }
        return result
    }
}

extension Platform {
    /// The freshness of the named datasets (`source.dataset` or a whole `source`); all when empty.
    /// A table that does not exist yet counts as one with no rows. Throws for an unknown name or
    /// a declared column the table does not have.
    public func freshness(_ names: [String], in registry: SourceRegistry, now: Date = Date()) async throws -> [FreshnessResult] {
        var datasets: [Dataset] = []
        for name in names {
            if name.contains(".") {
                datasets.append(try registry.dataset(name))
            } else {
                let found = registry.datasets.filter { $0.source == name }
                guard !found.isEmpty else {
                    throw IngestError("no source or dataset named \"\(name)\"", fix: "see `ingestctl list` for the names")
                }
                datasets += found
            }
        }
        if names.isEmpty { datasets = registry.datasets }

        return try await withWarehouse { [datasets] warehouse in
            var results: [FreshnessResult] = []
            for dataset in datasets {
                let table = try dataset.tableSchema()
                let column = dataset.freshness.column ?? table.ingestedAtColumn
                guard let spec = table.columns.first(where: { $0.name == column }), spec.type == .timestamp || spec.type == .date else {
                    throw IngestError("the freshness column \"\(column)\" of \(dataset.qualifiedName) is not a timestamp or date column of \(table.schema).\(table.table)",
                                      fix: "declare a timestamp or date column in DatasetFreshness(column:), or leave it nil for \(table.ingestedAtColumn)")
                }
                try await SilverTables(warehouse: warehouse).ensure(table)
                let newest = try await FreshnessResult.newest(column, of: table, in: warehouse)
                results.append(.judge(dataset: dataset.qualifiedName, table: "\(table.schema).\(table.table)", column: column,
                                      newest: newest, freshness: dataset.freshness, now: now))
            }
            return results
        }
    }
}
