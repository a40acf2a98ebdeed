import Foundation
import IngestCommon

extension WarehouseConfiguration {
    /// Characters a URL's password may hold as they are (RFC 3986 unreserved and sub-delims); any other
    /// character, or a `%` not followed by two hex digits, must be percent-encoded.
    static let passwordCharacters = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=")

    /// Refuses a `postgres://` URL whose password is not percent-encoded (an unencoded `/`, `@`, `:`, `#`, `?`, …
    /// would make the rest of the password read as host, port or database), before anything connects.
    /// The error names only host, port, user and database; the password is registered with the redactor.
    static func checkPasswordEncoding(_ text: String) throws {
        guard let schemeEnd = text.range(of: "://"), let at = text.range(of: "@", options: .backwards),
              schemeEnd.upperBound <= at.lowerBound else { return }
        let userInfo = text[schemeEnd.upperBound..<at.lowerBound]
        guard let colon = userInfo.firstIndex(of: ":") else { return }
        let user = String(userInfo[..<colon])
        let password = String(userInfo[userInfo.index(after: colon)...])
        Redactor.shared.register(password)
        Redactor.shared.register(password.removingPercentEncoding ?? password)
        guard !isPercentEncoded(password) else { return }
        // What follows the last `@` is the server: host[:port]/database[?options].
        var rest = text[at.upperBound...]
        if let query = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<query] }
        let server = rest.firstIndex(of: "/").map { rest[..<$0] } ?? rest
        let database = rest.firstIndex(of: "/").map { String(rest[rest.index(after: $0)...]) } ?? ""
        var host = String(server), port = "5432"
        if let portColon = server.lastIndex(of: ":"), !server.hasSuffix("]") {
            host = String(server[..<portColon])
            port = String(server[server.index(after: portColon)...])
        }
        throw IngestError(
            "WAREHOUSE_URL's password is not percent-encoded (host \(host.isEmpty ? "none" : host), port \(port), "
                + "user \(user.removingPercentEncoding ?? user), database \(database.isEmpty ? "none" : database)); "
                + "nothing was connected",
            fix: "percent-encode the password in WAREHOUSE_URL: every character but letters, digits and - . _ ~ ! $ & ' ( ) * + , ; = "
                + "as %XX (/ as %2F, @ as %40, : as %3A, # as %23, ? as %3F, % as %25, a space as %20), e.g. with "
                + "python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=\"\"))' 'the password'")
    }

    /// Whether `password` holds only characters allowed as they are and `%` escapes of two hex digits.
    static func isPercentEncoded(_ password: String) -> Bool {
        var scalars = password.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            if scalar == "%" {
                guard let high = scalars.next(), let low = scalars.next(),
                      high.properties.isASCIIHexDigit, low.properties.isASCIIHexDigit else { return false }
            } else if !passwordCharacters.contains(scalar) {
                return false
            }
        }
        return true
    }
}
