import Foundation
import IngestCommon

/// How to start the headless browser and how long to wait for it.
public struct BrowserOptions: Sendable {
    /// The chromium binary; `nil` finds it (`CHROMIUM_PATH`, then the usual locations).
    public var executable: String?
    /// The longest any wait (selector, navigation, response, download) lasts unless the call says otherwise.
    public var timeout: Duration
    /// The longest one DevTools command may take.
    public var commandTimeout: Duration
    /// The longest chromium may take to open its DevTools port.
    public var launchTimeout: Duration
    /// Extra command-line switches for chromium.
    public var extraArguments: [String]

    public init(executable: String? = nil, timeout: Duration = .seconds(20), commandTimeout: Duration = .seconds(30),
                launchTimeout: Duration = .seconds(30), extraArguments: [String] = []) {
        self.executable = executable
        self.timeout = timeout
        self.commandTimeout = commandTimeout
        self.launchTimeout = launchTimeout
        self.extraArguments = extraArguments
    }

    /// Options from configuration: `CHROMIUM_PATH`, `INGEST_BROWSER_TIMEOUT_SECONDS`.
    public init(settings: Settings) throws {
        self.init(executable: settings["CHROMIUM_PATH"])
        if let text = settings["INGEST_BROWSER_TIMEOUT_SECONDS"] {
            guard let seconds = Double(text), seconds > 0 else {
                throw IngestError("INGEST_BROWSER_TIMEOUT_SECONDS is \"\(text)\", not a positive number of seconds", fix: "set it to e.g. 30")
            }
            timeout = .milliseconds(Int(seconds * 1000))
            commandTimeout = max(commandTimeout, timeout)
        }
    }

    static let knownLocations = [
        "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium",
        "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable", "/snap/bin/chromium",
    ]

    /// The chromium binary to run.
    public func resolvedExecutable() throws -> String {
        if let executable {
            guard FileManager.default.isExecutableFile(atPath: executable) else {
                throw IngestError("CHROMIUM_PATH is \(executable), which is not an executable file",
                                  fix: "point CHROMIUM_PATH at chromium, or unset it to use /usr/bin/chromium")
            }
            return executable
        }
        if let found = Self.knownLocations.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
            return found
        }
        throw IngestError("no chromium found (looked in \(Self.knownLocations.joined(separator: ", ")))",
                          fix: "install it (apt-get install -y chromium) or set CHROMIUM_PATH")
    }
}
