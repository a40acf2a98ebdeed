import Foundation
import IngestKit

/// One page of the Acme API: `{"count", "page", "next", "results"}`; `"results": null` (or none) is an empty page.
struct Page<Item: Decodable>: Decodable {
    var count: Int?
    var page: Int?
    var next: String?
    var results: [Item]

    enum CodingKeys: String, CodingKey { case count, page, next, results }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        count = try container.decodeIfPresent(Int.self, forKey: .count)
        page = try container.decodeIfPresent(Int.self, forKey: .page)
        next = try container.decodeIfPresent(String.self, forKey: .next)
        results = try container.decodeIfPresent([Item].self, forKey: .results) ?? []
    }
}

/// An order as the API sends it.
struct OrderItem: Decodable {
    var id: FlexibleString
    var name: String?
    var status: String?
    var createdAt: String?
    var total: FlexibleDecimal?
    var description: String?
    var customer: CustomerRef?
    var lines: [Line]?

    enum CodingKeys: String, CodingKey {
        case id, name, status, total, description, customer, lines
        case createdAt = "created_at"
    }

    struct CustomerRef: Decodable {
        var id: FlexibleString?
        var email: String?
        var address: Address?
    }

    struct Line: Decodable {
        var sku: String?
        var quantity: Int?
    }
}

struct Address: Decodable {
    var city: String?
    var zip: String?
}

/// A customer as the API sends it.
struct CustomerItem: Decodable {
    var id: FlexibleString
    var name: String?
    var email: String?
    var address: Address?
}

/// An identifier the API sends as a string or a number.
struct FlexibleString: Decodable {
    var value: String
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            value = text
        } else {
            value = String(try container.decode(Int64.self))
        }
    }
}

/// An amount the API sends as a decimal string or a JSON number, read exactly: every digit,
/// never through a Double or `Decimal`'s 38 digits.
struct FlexibleDecimal: Decodable {
    var value: ExactDecimal
    init(from decoder: any Decoder) throws {
        value = try ExactDecimal(from: decoder)
    }
}
