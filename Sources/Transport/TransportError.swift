import Glibc

/// Errors raised by sockets, the event loop and TLS setup, each with the
/// operation that failed and the system's reason.
public enum TransportError: Error, Equatable, Sendable, CustomStringConvertible {
    case system(operation: String, errno: Int32)
    case tls(operation: String, detail: String)
    case connectionLimitReached(Int)
    case closed

    public var description: String {
        switch self {
        case let .system(operation, code):
            return "\(operation) failed: \(String(cString: strerror(code))) (errno \(code))"
        case let .tls(operation, detail):
            return "TLS \(operation) failed: \(detail)"
        case let .connectionLimitReached(limit):
            return "connection limit of \(limit) reached"
        case .closed:
            return "connection is closed"
        }
    }

    static func lastSystemError(_ operation: String) -> TransportError {
        .system(operation: operation, errno: errno)
    }
}
