import Foundation

/// Any JSON value, decoded through single-value containers only: compares whole documents.
indirect enum AnyJSON: Decodable, Equatable {
    case null, bool(Bool), integer(Int64), number(Double), string(String), array([AnyJSON]), object([String: AnyJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([AnyJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: AnyJSON].self))
        }
    }
}

/// A typed record with the field kinds sources use, decoded by synthesized code.
struct Record: Decodable, Equatable {
    var id: Int64
    var name: String
    var score: Double
    var flag: Bool
    var note: String?
    var count: Int?
    var small: Int8?
    var unsigned: UInt64?
    var tags: [String]
    var scores: [String: Int]?
    var child: Child?
    var matrix: [[Int]]?
    var optionals: [Int?]
    var createdAt: String?

    struct Child: Decodable, Equatable {
        var label: String
        var values: [Double]
    }

    enum CodingKeys: String, CodingKey {
        case id, name, score, flag, note, count, small, unsigned, tags, scores, child, matrix, optionals
        case createdAt = "created_at"
    }
}

/// Decoded by hand: exercises allKeys, contains, decodeNil, nested and super decoders.
struct HandDecoded: Decodable, Equatable {
    var keys: [String]
    var hasValue: Bool
    var valueIsNull: Bool
    var first: String?
    var list: [Int]
    var nestedName: String?
    var superText: String?

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        keys = container.allKeys.map(\.stringValue).sorted()
        let value = AnyKey(stringValue: "value")
        hasValue = container.contains(value)
        valueIsNull = hasValue ? try container.decodeNil(forKey: value) : false
        var list = try container.nestedUnkeyedContainer(forKey: AnyKey(stringValue: "list"))
        var items: [Int] = []
        first = try list.decodeNil() ? nil : String(try list.decode(Int.self))
        while !list.isAtEnd { items.append(try list.decode(Int.self)) }
        self.list = items
        let nested = try container.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey(stringValue: "nested"))
        nestedName = try nested.decodeIfPresent(String.self, forKey: AnyKey(stringValue: "name"))
        let superDecoder = try container.superDecoder(forKey: AnyKey(stringValue: "text"))
        superText = try String?(from: superDecoder)
    }
}
