import Glibc

/// Errors raised by sockets, the event loop and TLS setup, each with the
/// operation that failed and the system's reason.
public enum TransportError: Error, Equatable, Sendable, CustomStringConvertible {
    case system(operation: String, errno: Int32)
    case tls(operation: String, detail: String)
    /// A TLS context could not use one of its credential files.
    case credential(TLSCredential, detail: String)
    case connectionLimitReached(Int)
    case closed

    public var description: String {
        switch self {
        case let .system(operation, code):
            return "\(operation) failed: \(String(cString: strerror(code))) (errno \(code))"
        case let .tls(operation, detail):
            return "TLS \(operation) failed: \(detail)"
        case let .credential(credential, detail):
            return "TLS \(credential.operation) failed: \(detail)"
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

/// The credential file a TLS context failed to use, with its path.
public enum TLSCredential: Equatable, Sendable {
    case certificateChain(path: String)
    case privateKey(path: String)
    /// The private key at `path` is encrypted: it needs a passphrase, which is never asked for.
    case encryptedPrivateKey(path: String)
    /// The private key at `path` is not the certificate's.
    case keyMismatch(path: String)
    case trustRoots(path: String)

    /// What failed, as error messages name it.
    public var operation: String {
        switch self {
        case let .certificateChain(path): "loading certificate \(path)"
        case let .privateKey(path): "loading private key \(path)"
        case let .encryptedPrivateKey(path): "loading private key \(path) (it is encrypted; no passphrase is asked for)"
        case let .keyMismatch(path): "matching key \(path) to certificate"
        case let .trustRoots(path): "loading CA \(path)"
        }
    }
}
