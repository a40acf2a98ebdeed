#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A loopback port that refuses every connection for as long as this value is open: a TCP socket
/// bound to `127.0.0.1` that never listens. Holding the binding keeps the kernel from giving the port
/// to any other server, so "connection refused" is certain even while parallel tests open and close
/// their own servers (a port that was merely free a moment ago can be reused by one of them).
public final class ClosedPort: @unchecked Sendable {
    /// The bound port number.
    public let port: Int
    private let descriptor: Int32

    /// Binds a fresh loopback port; throws when the system refuses a socket or a binding.
    public init() throws {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw ClosedPortError(message: "socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { close(fd); throw ClosedPortError(message: "bind() failed: errno \(errno)") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { close(fd); throw ClosedPortError(message: "getsockname() failed: errno \(errno)") }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    deinit { close(descriptor) }
}

/// Why a `ClosedPort` could not be made.
public struct ClosedPortError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
