import Primitives

/// What a handler sees of the connection under it: bytes out, closing, read
/// pacing, one deadline, backpressure and the verified peer. A `TLSConnection`
/// over a socket in production; an `EmbeddedConnection` in tests, which
/// records what is written and lets the test deliver bytes and closes.
/// Confined to `loop`, like its handler.
public protocol Connection: AnyObject {
    var loop: EventLoop { get }
    var id: UInt64 { get }
    var remoteAddress: SocketAddress? { get }
    /// The identity the peer's certificate proved, if any.
    var peer: AuthenticatedPeer? { get }
    var limits: ConnectionLimits { get }
    var isOpen: Bool { get }
    /// False while the write queue is above its high-water mark.
    var isWritable: Bool { get }
    var queuedOutboundBytes: Int { get }
    /// Whether the handshake resumed a session (a ticket) instead of running in full.
    var isResumed: Bool { get }
    /// How long ago a resumed session was first made; nil for a full handshake.
    var resumedSessionAge: Duration? { get }
    /// The certificate the peer presented (DER), read when asked; nil without one.
    var peerCertificateDER: [UInt8]? { get }

    /// Queues bytes for the peer.
    func write(_ bytes: some Collection<UInt8>)
    /// Graceful close: what is queued is flushed first.
    func close(_ reason: CloseReason)
    /// Stops delivering reads until `resumeReading`; the peer is pushed back on.
    func pauseReading()
    func resumeReading()
    /// Until `resumeReading`: while reading is paused, the peer ending its side of the connection
    /// (end of file, `EPOLLRDHUP`) closes it at once, as closed by the peer, rather than at the
    /// next write that fails. For a response that reads nothing more while it lasts (an event
    /// stream), so a client that went away frees what it held.
    func closeWhenPeerHangsUp()
    /// Sets (or clears with nil) the handler's deadline; see `connectionDeadlineExpired`.
    func setDeadline(_ instant: MonotonicInstant?)
    /// Server side: sends the client a fresh session ticket now; false when none can be sent.
    @discardableResult
    func issueSessionTicket() -> Bool
}

extension Connection {
    /// Sets the handler's deadline `delay` from now on the loop's clock.
    public func setDeadline(after delay: Duration) {
        setDeadline(loop.now.advanced(by: delay))
    }
}
