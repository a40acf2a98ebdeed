import Foundation

/// A small path into parsed JSON: `results`, `data.items[*]`, `a.b[0].c`, `[*].id`.
///
/// Names are separated by dots; `[n]` picks an array element and `[*]` every
/// element. It walks a `JSONTree`, the SDK's one JSON value type.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    public enum Step: Sendable, Hashable {
        case key(String)
        case index(Int)
        case all
    }

    public let steps: [Step]
    public let description: String

    /// Parses a path; throws an `IngestError` naming the path when it is malformed.
    public init(_ text: String) throws {
        description = text
        var steps: [Step] = []
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        if rest.hasPrefix("$") { rest = rest.dropFirst() }
        func bad(_ why: String) -> IngestError {
            IngestError("JSON path \"\(text)\" is malformed: \(why)", fix: "write it like results, data.items[*] or a.b[0].c")
        }
        while !rest.isEmpty {
            if rest.hasPrefix(".") { rest = rest.dropFirst(); if rest.isEmpty { throw bad("it ends with a dot") } }
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { throw bad("a [ is not closed") }
                let inner = rest[rest.index(after: rest.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                if inner == "*" {
                    steps.append(.all)
                } else if let index = Int(inner), index >= 0 {
                    steps.append(.index(index))
                } else if inner.count >= 2, let quote = inner.first, quote == "\"" || quote == "'", inner.last == quote {
                    steps.append(.key(String(inner.dropFirst().dropLast())))
                } else {
                    throw bad("[\(inner)] is not [n], [*] or [\"name\"]")
                }
                rest = rest[rest.index(after: close)...]
            } else {
                let end = rest.firstIndex { $0 == "." || $0 == "[" } ?? rest.endIndex
                let name = String(rest[..<end])
                guard !name.isEmpty else { throw bad("an empty name") }
                steps.append(.key(name))
                rest = rest[end...]
            }
        }
        self.steps = steps
    }

    /// Every value the path reaches (a wildcard gives several; a missing key gives none).
    public func values(in json: JSONTree) -> [JSONTree] {
        var current: [JSONTree] = [json]
        for step in steps {
            var next: [JSONTree] = []
            for value in current {
                switch step {
                case .key(let name):
                    if let found = value[name] { next.append(found) }
                case .index(let index):
                    if let found = value[index] { next.append(found) }
                case .all:
                    if let array = value.array { next.append(contentsOf: array) }
                }
            }
            current = next
        }
        return current
    }

    /// The first value the path reaches, `nil` when there is none or it is JSON null.
    public func value(in json: JSONTree) -> JSONTree? {
        guard let found = values(in: json).first, !found.isNull else { return nil }
        return found
    }

    /// The value as text: strings as they are, numbers in plain decimal form, booleans as `true`/`false`;
    /// `nil` for null, missing, or containers.
    public func string(in json: JSONTree) -> String? {
        value(in: json)?.scalarText
    }

    /// The records the path names: the elements of the array it reaches, or the values of a wildcard;
    /// null is no records (an empty page). `nil` when the path reaches nothing.
    public func records(in json: JSONTree) -> [JSONTree]? {
        let found = values(in: json)
        if steps.last == .all { return found }
        guard let single = found.first else { return nil }
        switch single {
        case .array(let array): return array
        case .null: return []
        default: return [single]
        }
    }
}
