import COpenSSL
import CLinux
import Glibc
import Primitives

/// One non-blocking TLS connection on an event loop, server or client side.
/// It owns the socket and the `SSL` object, runs the handshake, moves bytes
/// between the socket and its handler with bounded buffers and backpressure,
/// enforces deadlines, and closes exactly once. Confined to its loop: every
/// method must be called on `loop` (checked).
public final class TLSConnection: Connection, EventSource, @unchecked Sendable {
    enum State { case connecting, handshaking, open, closing, lingering, closed }

    public let loop: EventLoop
    public let id: UInt64
    public let remoteAddress: SocketAddress?
    public internal(set) var peer: AuthenticatedPeer?
    /// Whether the handshake resumed a session (a ticket) instead of running in full.
    public internal(set) var isResumed = false
    public var handler: (any ConnectionHandler)?

    let descriptor: Int32
    let ssl: OpaquePointer
    let context: TLSContext
    public let limits: ConnectionLimits
    let isServer: Bool
    var state: State
    var outbound = OutboundQueue()
    var readingPausedByHandler = false
    var readingPausedByBackpressure = false
    /// While reading is paused by the handler, the peer's end of file closes (`closeWhenPeerHangsUp`).
    var closesWhenPeerHangsUp = false
    var sslWantsWrite = false
    var sslWantsRead = false
    /// A session ticket was asked for and has not been written out yet.
    var ticketPending = false
    var registeredInterest: UInt32 = 0
    /// A `scheduleReadContinuation` is queued on the loop and has not run yet.
    var readContinuationPosted = false
    var deadlines = ConnectionDeadlines()
    var closeReason: CloseReason?
    var lingerDiscardedBytes = 0
    var onOpen: ((TLSConnection) -> Void)?
    var onClose: ((TLSConnection, CloseReason) -> Void)?
    /// A client's link to its ticket store; retained here because the `SSL` only points at it.
    var sessionCacheAttachment: TLSSessionCache.Attachment?

    init(loop: EventLoop, id: UInt64, descriptor: Int32, remoteAddress: SocketAddress?, context: TLSContext,
         limits: ConnectionLimits, isServer: Bool) throws(TransportError) {
        guard let ssl = SSL_new(context.context) else {
            throw .tls(operation: "SSL_new", detail: OpenSSLErrors.drain())
        }
        guard SSL_set_fd(ssl, descriptor) == 1 else {
            SSL_free(ssl)
            throw .tls(operation: "SSL_set_fd", detail: OpenSSLErrors.drain())
        }
        self.loop = loop
        self.id = id
        self.descriptor = descriptor
        self.remoteAddress = remoteAddress
        self.ssl = ssl
        self.context = context
        self.limits = limits
        self.isServer = isServer
        self.state = isServer ? .handshaking : .connecting
    }

    deinit {
        _ = TLSContext.takeRejection(from: ssl)
        SSL_free(ssl)
    }

    // MARK: - What handlers use

    public var isOpen: Bool { state == .open }

    /// False while the write queue is above its high-water mark.
    public var isWritable: Bool { outbound.byteCount < limits.writeQueueHighWaterBytes }

    public var queuedOutboundBytes: Int { outbound.byteCount }

    /// Queues bytes and writes as much as the socket takes now.
    public func write(_ bytes: some Collection<UInt8>) {
        loop.preconditionInLoop()
        guard state == .open || state == .handshaking || state == .connecting else { return }
        outbound.append(bytes)
        guard outbound.byteCount <= limits.writeQueueMaximumBytes else {
            abort(.local("write queue over \(limits.writeQueueMaximumBytes) bytes: peer is not reading"))
            return
        }
        if state == .open { flush() }
    }

    /// Graceful close: stop reading, flush what is queued, send close_notify.
    public func close(_ reason: CloseReason) {
        loop.preconditionInLoop()
        guard state != .closing, state != .lingering, state != .closed else { return }
        guard state == .open else { return abort(reason) }
        state = .closing
        closeReason = reason
        deadlines.close = loop.now.advanced(by: limits.closeTimeout)
        armDeadlineTimer()
        flush()
    }

    /// Stops delivering reads until `resumeReading`; TCP pushes back on the peer.
    public func pauseReading() {
        loop.preconditionInLoop()
        readingPausedByHandler = true
        updateInterest()
    }

    /// Delivers reads again; a `closeWhenPeerHangsUp` made while paused is dropped, whether or
    /// not reading was paused, so a handler reading again sees the peer's end of file as a read.
    public func resumeReading() {
        loop.preconditionInLoop()
        closesWhenPeerHangsUp = false
        guard readingPausedByHandler else { return updateInterest() }
        readingPausedByHandler = false
        updateInterest()
        if state == .open, SSL_has_pending(ssl) == 1 { scheduleReadContinuation() }
    }

    public func closeWhenPeerHangsUp() {
        loop.preconditionInLoop()
        closesWhenPeerHangsUp = true
        updateInterest()
    }

    /// Sets (or clears with nil) the handler's deadline; see `connectionDeadlineExpired`.
    public func setDeadline(_ instant: MonotonicInstant?) {
        loop.preconditionInLoop()
        deadlines.handler = instant
        armDeadlineTimer()
    }

    // MARK: - Lifecycle

    /// Registers with the loop; `onOpen` hears of the finished handshake before the handler does.
    /// If the loop refuses the socket, the connection closes it (without calling anyone back) and
    /// throws: from `init` on, the connection owns its descriptor.
    func start(onOpen: ((TLSConnection) -> Void)? = nil,
               onClose: @escaping (TLSConnection, CloseReason) -> Void) throws(TransportError) {
        let interest = state == .connecting ? EPOLLOUT.rawValue : EPOLLIN.rawValue
        do {
            try loop.register(descriptor, interest: interest, source: self)
        } catch {
            closeUnstarted()
            throw error
        }
        registeredInterest = interest
        self.onOpen = onOpen
        self.onClose = onClose
        deadlines.handshake = loop.now.advanced(by: limits.handshakeTimeout)
        armDeadlineTimer()
    }

    /// Closes the socket of a connection whose setup failed before `start` registered it: no
    /// handler or owner has heard of it, so none is told. `abort` closes a started one.
    func closeUnstarted() {
        precondition(registeredInterest == 0 && onClose == nil, "connection \(id) was started; abort it instead")
        guard state != .closed else { return }
        state = .closed
        handler = nil
        Glibc.close(descriptor)
    }

    /// Immediate close without flushing: errors, timeouts, violations.
    func abort(_ reason: CloseReason) {
        guard state != .closed else { return }
        let finalReason = closeReason ?? reason
        state = .closed
        outbound.removeAll()
        deadlines.cancelTimer(on: loop)
        loop.deregister(descriptor)
        Glibc.close(descriptor)
        handler?.connectionDidClose(self, reason: finalReason)
        handler = nil
        onOpen = nil
        onClose?(self, finalReason)
        onClose = nil
    }

    func handleEvents(_ events: UInt32) {
        switch state {
        case .connecting: finishConnect()
        case .handshaking: continueHandshake()
        case .open, .closing: handleTraffic(events)
        case .lingering: discardLingeringInput()
        case .closed: return
        }
    }

    /// Inform the handler that the server drains; it decides when to close. A
    /// connection already closing keeps flushing (bounded by its close timeout).
    func requestDrain() {
        if state == .closing || state == .lingering { return }
        guard state == .open else { return abort(.shutdown) }
        handler?.connectionShouldDrain(self)
    }
}
