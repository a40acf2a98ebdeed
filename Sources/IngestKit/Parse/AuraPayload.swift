import Foundation
import IngestCommon

/// A Salesforce Aura/Lightning response (`{"actions": […], "context": {…}}`).
///
/// Lightning pages deliver records through the record value provider,
/// `context.globalValueProviders[type=$Record].values.records`, not through
/// `actions[].returnValue` (which usually holds only ids or page info). This
/// type finds the provider and flattens each record to field values.
public struct AuraPayload: Sendable {
    public let root: JSONTree

    public init(_ data: Data) throws {
        let root: JSONTree
        do {
            root = try JSONTree.parse(data)
        } catch {
            let what = (error as? JSONSyntaxError)?.summary ?? "not JSON"
            throw IngestError("the payload is not an Aura response: it is \(what)", fix: "check that the capture pattern matches the Aura XHR (…/aura?…)")
        }
        guard root["actions"] != nil || root["context"] != nil else {
            throw IngestError("the JSON has neither \"actions\" nor \"context\", so it is not an Aura response",
                              fix: "capture the Aura XHR response ({\"actions\": […], \"context\": {…}})")
        }
        self.root = root
    }

    /// `actions[].returnValue` in order (often only ids or paging info).
    public var returnValues: [JSONTree] {
        (root["actions"]?.array ?? []).compactMap { $0["returnValue"] }
    }

    /// `actions[].state` in order (`SUCCESS`, `ERROR`, …).
    public var actionStates: [String] {
        (root["actions"]?.array ?? []).compactMap { $0["state"]?.string }
    }

    /// Whether the context carries a `$Record` value provider at all.
    public var hasRecordProvider: Bool { !recordProviders.isEmpty }

    private var recordProviders: [JSONTree] {
        (root["context"]?["globalValueProviders"]?.array ?? []).filter { $0["type"]?.string == "$Record" }
    }

    /// Every record of every `$Record` provider, flattened, ordered by record id.
    ///
    /// Throws when there is no `$Record` provider: that is the guide's
    /// "0 records parsed" trap (records looked for in `actions[].returnValue`).
    public func records() throws -> [AuraRecord] {
        guard hasRecordProvider else {
            throw IngestError("the Aura response has no context.globalValueProviders[type=$Record] (actions: \(actionStates.joined(separator: ", ")))",
                              fix: "records of Lightning pages live in the $Record provider, not in actions[].returnValue; capture the XHR that loads the records")
        }
        var out: [AuraRecord] = []
        for provider in recordProviders {
            for (key, entry) in provider["values"]?["records"]?.object ?? [:] {
                out.append(contentsOf: Self.unwrap(entry, key: key))
            }
        }
        return out.sorted { $0.id < $1.id }
    }

    /// A records entry is `{ObjectApiName: {"record": {…}}}` in LDS; older payloads
    /// have `{"record": {…}}` or the record itself.
    private static func unwrap(_ entry: JSONTree, key: String) -> [AuraRecord] {
        if entry["fields"] != nil { return [flatten(entry, fallbackId: key)] }
        if let record = entry["record"], record["fields"] != nil { return [flatten(record, fallbackId: key)] }
        return (entry.object ?? [:]).sorted { $0.key < $1.key }.compactMap { _, value in
            guard let record = value["record"], record["fields"] != nil else { return nil }
            return flatten(record, fallbackId: key)
        }
    }

    static func flatten(_ record: JSONTree, fallbackId: String) -> AuraRecord {
        var values: [String: JSONTree] = [:]
        var display: [String: String] = [:]
        func walk(_ fields: [String: JSONTree], prefix: String) {
            for (name, field) in fields {
                let path = prefix + name
                // A field is {"value": …, "displayValue": …}; a bare value is taken as is.
                let value = field.object?.keys.contains("value") == true ? field["value"]! : field
                if let text = field["displayValue"]?.string { display[path] = text }
                if let nested = value["fields"]?.object {
                    // A lookup (`Account__r`) holds a nested record: flatten as `Account__r.Name`.
                    if let id = value["id"] { values[path + ".Id"] = id }
                    walk(nested, prefix: path + ".")
                } else {
                    values[path] = value
                }
            }
        }
        walk(record["fields"]?.object ?? [:], prefix: "")
        let id = record["id"]?.string ?? values["Id"]?.string ?? fallbackId
        return AuraRecord(id: id, apiName: record["apiName"]?.string, values: values, displayValues: display)
    }
}

/// One record from a `$Record` provider, its fields flattened: `Name`, `Account__r.Name`, ….
public struct AuraRecord: Sendable, Hashable {
    public var id: String
    /// The object type, e.g. `Vacature__c`.
    public var apiName: String?
    /// Field values by flattened name; a null field is `.null`, a missing one is absent.
    public var values: [String: JSONTree]
    /// `displayValue` where the payload has one (formatted dates, currencies, picklist labels).
    public var displayValues: [String: String]

    public init(id: String, apiName: String?, values: [String: JSONTree], displayValues: [String: String] = [:]) {
        self.id = id
        self.apiName = apiName
        self.values = values
        self.displayValues = displayValues
    }

    public subscript(_ field: String) -> JSONTree? { values[field] }

    /// The field as text (numbers in plain notation); `nil` when null or missing.
    public func text(_ field: String) -> String? { values[field]?.scalarText }

    /// The field as an exact decimal (JSON number or decimal string); `nil` when null, missing or not a number.
    public func decimal(_ field: String) -> Decimal? {
        switch values[field] {
        case .number(let value): return value
        case .string(let text): return DecimalText.parse(text)
        default: return nil
        }
    }

    /// The field as an exact decimal of any length (a decimal string keeps every digit; a JSON number
    /// as many as `Decimal` holds, past which the payload is refused); `nil` when null, missing or not a number.
    public func exactDecimal(_ field: String) -> ExactDecimal? {
        switch values[field] {
        case .number(let value): return ExactDecimal(value)
        case .string(let text): return ExactDecimal(text)
        default: return nil
        }
    }

    /// The field as a whole number; `nil` when null, missing or fractional.
    public func int(_ field: String) -> Int? {
        guard let value = decimal(field) else { return nil }
        return Int(exactly: NSDecimalNumber(decimal: value).doubleValue)
    }

    /// The field as a date (`YYYY-MM-DD` or an ISO-8601 timestamp); `nil` when null or missing.
    public func date(_ field: String) -> CalendarDate? {
        text(field).flatMap { CalendarDate(iso: $0) }
    }
}
