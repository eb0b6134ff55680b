/// The protocol logic on top of one connection (HTTP, frames). Every call
/// arrives on the connection's event loop; the handler may write, close, pause
/// reading or set a deadline from inside any of them.
public protocol ConnectionHandler: AnyObject {
    /// The handshake finished; `connection.peer` holds the verified identity, if any.
    func connectionDidOpen(_ connection: any Connection)
    /// Decrypted bytes; valid only during the call.
    func connection(_ connection: any Connection, didRead bytes: UnsafeRawBufferPointer)
    /// The write queue fell back under its high-water mark after being above it.
    func connectionDidBecomeWritable(_ connection: any Connection)
    /// The deadline set with `setDeadline` passed.
    func connectionDeadlineExpired(_ connection: any Connection)
    /// The server is shutting down: finish what is in flight, then close.
    func connectionShouldDrain(_ connection: any Connection)
    /// Called exactly once, after the socket is closed.
    func connectionDidClose(_ connection: any Connection, reason: CloseReason)
}

extension ConnectionHandler {
    public func connectionDidBecomeWritable(_ connection: any Connection) {}
    public func connectionDeadlineExpired(_ connection: any Connection) {
        connection.close(.timeout("deadline passed"))
    }
    public func connectionShouldDrain(_ connection: any Connection) {
        connection.close(.shutdown)
    }
}

/// Why a connection ended, for logs and metrics.
public enum CloseReason: Sendable, Equatable, CustomStringConvertible {
    case peerClosed
    case local(String)
    case protocolViolation(String)
    case timeout(String)
    case handshakeFailed(String)
    case ioError(String)
    case shutdown

    public var description: String {
        switch self {
        case .peerClosed: return "peer closed"
        case let .local(why): return why
        case let .protocolViolation(why): return "protocol violation: \(why)"
        case let .timeout(what): return "timeout: \(what)"
        case let .handshakeFailed(why): return "TLS handshake failed: \(why)"
        case let .ioError(why): return "I/O error: \(why)"
        case .shutdown: return "server shutting down"
        }
    }
}

/// Per-connection bounds, shared by every connection of an endpoint.
public struct ConnectionLimits: Sendable {
    /// An unauthenticated connection must finish its TLS handshake within this.
    public var handshakeTimeout: Duration = .seconds(5)
    /// Connections in their TLS handshake an endpoint holds at once, apart from its established
    /// connections; past it a newcomer from a source lighter than the heaviest closes that
    /// source's oldest pending handshake, and any other closes the oldest pending handshake if
    /// older than `handshakeEvictionAge`, else is refused (`ConnectionAdmission`).
    public var handshakesMaximum = 256
    public var handshakeEvictionAge: Duration = .seconds(1)
    /// Pending handshakes one source (an IPv4 address or IPv6 /64) may hold; past it new ones are refused. Agents
    /// behind one NAT address share it, and a refused agent retries with backoff.
    public var handshakesPerSourceMaximum = 64
    /// Above this many queued outbound bytes the connection stops reading.
    public var writeQueueHighWaterBytes = 256 * 1024
    /// Reading resumes once the queue drains below this.
    public var writeQueueLowWaterBytes = 64 * 1024
    /// A handler that queues more than this is ignoring backpressure: close.
    public var writeQueueMaximumBytes = 8 * 1024 * 1024
    /// TLS records (at most 16 KiB each) read per readiness event before yielding to the
    /// loop's other connections; at least 1. Reading until 256 KiB had arrived let a
    /// keep-alive client sending small requests back to back be served thousands of times
    /// per turn while the loop's other connections waited: tens of milliseconds of tail
    /// latency (Docs/BENCHMARKS.md). One record per turn is what nginx does for a keep-alive
    /// request; for a bulk frame stream it costs an `epoll_wait` per 16 KiB.
    public var readsPerEventMaximum = 1 {
        didSet { precondition(readsPerEventMaximum >= 1, "a connection must read at least one record per event") }
    }
    /// Time allowed to flush and send close_notify on a graceful close.
    public var closeTimeout: Duration = .seconds(5)
    /// After a graceful close the socket is half-closed and the peer's input
    /// discarded for up to this long (or `lingerDiscardBytesMaximum`), so an
    /// error answered mid-request is not destroyed by a TCP reset (nginx's
    /// lingering close).
    public var lingerTimeout: Duration = .seconds(2)
    public var lingerDiscardBytesMaximum = 1 << 20

    public init() {}
}
