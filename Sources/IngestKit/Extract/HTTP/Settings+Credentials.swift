import Foundation
import IngestCommon

extension Settings {
    /// A secret that must be set, registered with the redactor; the error names the variable.
    func requiredSecret(_ name: String, purpose: String) throws -> String {
        guard let value = secret(name) else {
            throw IngestError("\(name) is not set (\(purpose))", fix: "set \(name) in the environment or in .env")
        }
        return value
    }

    /// A configuration value given in code, or read from the variable that names it.
    func given(_ literal: String?, orVariable variable: String?, purpose: String, owner: String, parameter: String) throws -> String {
        if let literal { return literal }
        guard let variable else {
            throw IngestError("\(owner) has no \(purpose)", fix: "give \(owner) a \(parameter) or a \(parameter)Variable")
        }
        return try require(variable, purpose: purpose)
    }
}
