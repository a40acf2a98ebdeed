import Foundation

/// Configuration from the process environment and a `.env` file.
///
/// The environment wins over `.env`, so a CI job can override a developer's
/// file. Secrets are read with `secret(_:)`, which registers them with the
/// `Redactor` so they never reach logs or stored metadata.
public struct Settings: Sendable {
    public private(set) var values: [String: String]

    public init(values: [String: String]) {
        self.values = values
    }

    /// Reads `.env` from `directory` (if present), then the process environment on top.
    public static func load(directory: String = FileManager.default.currentDirectoryPath,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Settings {
        var values: [String: String] = [:]
        let path = (directory as NSString).appendingPathComponent(".env")
        if FileManager.default.fileExists(atPath: path) {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            values = try DotEnv.parse(text, file: path)
        }
        values.merge(environment) { _, env in env }
        return Settings(values: values)
    }

    /// A non-empty value, or `nil`.
    public subscript(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    /// A value that must be set; the error names the variable and where to set it.
    public func require(_ name: String, purpose: String) throws -> String {
        guard let value = self[name] else {
            throw IngestError("\(name) is not set (\(purpose))", fix: "set \(name) in the environment or in .env (see .env.example)")
        }
        return value
    }

    /// A secret value, registered with the redactor before it is returned.
    public func secret(_ name: String) -> String? {
        guard let value = self[name] else { return nil }
        Redactor.shared.register(value)
        return value
    }

    public func with(_ name: String, _ value: String?) -> Settings {
        var copy = self
        copy.values[name] = value
        return copy
    }
}

/// A minimal `.env` reader: `NAME=value`, `export NAME=value`, `#` comments, single or double quotes.
public enum DotEnv {
    public static func parse(_ text: String, file: String = ".env") throws -> [String: String] {
        var values: [String: String] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)) }
            guard let eq = line.firstIndex(of: "=") else {
                throw IngestError("\(file) line \(number + 1) is not NAME=value", fix: "write it as NAME=value or comment it out with #")
            }
            let name = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, (first == "\"" || first == "'"), value.last == first {
                value = String(value.dropFirst().dropLast())
            } else if let hash = value.range(of: " #") {
                value = value[..<hash.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            values[name] = value
        }
        return values
    }
}
