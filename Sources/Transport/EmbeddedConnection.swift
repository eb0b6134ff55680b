import Primitives

/// An in-memory connection on an embedded loop, for tests of handlers
/// without sockets (swift-nio's `EmbeddedChannel`). What the handler writes
/// queues until the test takes it, as a peer reading would; the test delivers
/// inbound bytes and closes. Write-queue limits, backpressure and read pausing
/// follow `TLSConnection`; the handler's deadline fires on the loop's clock.
public final class EmbeddedConnection: Connection, @unchecked Sendable {
    public let loop: EventLoop
    public let id: UInt64
    public let remoteAddress: SocketAddress?
    public var peer: AuthenticatedPeer?
    public let limits: ConnectionLimits
    public var isResumed = false
    /// What the test says the peer presented.
    public var peerCertificateDER: [UInt8]?
    public var resumedSessionAge: Duration?
    public var handler: (any ConnectionHandler)?
    /// Why the connection closed, once it has.
    public private(set) var closeReason: CloseReason?
    /// Session tickets the handler asked to send.
    public private(set) var issuedTicketCount = 0
    /// The deadline the handler set last, if still armed.
    public private(set) var deadline: MonotonicInstant?
    public private(set) var isOpen = false
    /// Whether the handler asked to be closed when the peer hangs up while reading is paused.
    public private(set) var closesWhenPeerHangsUp = false
    private var outbound: [UInt8] = []
    private var inbound: [UInt8] = []
    private var readingPausedByHandler = false
    private var readingPausedByBackpressure = false
    private var deadlineTimer: TimerID?

    public init(loop: EventLoop, id: UInt64 = 1, peer: AuthenticatedPeer? = nil, remoteAddress: SocketAddress? = nil,
                limits: ConnectionLimits = ConnectionLimits()) {
        self.loop = loop
        self.id = id
        self.peer = peer
        self.remoteAddress = remoteAddress
        self.limits = limits
    }

    public var isWritable: Bool { outbound.count < limits.writeQueueHighWaterBytes }
    public var queuedOutboundBytes: Int { outbound.count }
    public var isClosed: Bool { closeReason != nil }

    // MARK: - What the handler uses

    public func write(_ bytes: some Collection<UInt8>) {
        loop.preconditionInLoop()
        guard closeReason == nil else { return }
        outbound.append(contentsOf: bytes)
        guard outbound.count <= limits.writeQueueMaximumBytes else {
            return abort(.local("write queue over \(limits.writeQueueMaximumBytes) bytes: peer is not reading"))
        }
        if outbound.count >= limits.writeQueueHighWaterBytes { readingPausedByBackpressure = true }
    }

    /// Closes at once: an embedded peer has nothing to flush to.
    public func close(_ reason: CloseReason) {
        abort(reason)
    }

    public func pauseReading() {
        readingPausedByHandler = true
    }

    public func resumeReading() {
        closesWhenPeerHangsUp = false
        guard readingPausedByHandler else { return }
        readingPausedByHandler = false
        loop.execute { [weak self] in self?.deliverInbound() }
    }

    public func closeWhenPeerHangsUp() {
        closesWhenPeerHangsUp = true
    }

    public func setDeadline(_ instant: MonotonicInstant?) {
        loop.preconditionInLoop()
        if let deadlineTimer { loop.cancelTimer(deadlineTimer) }
        deadlineTimer = nil
        deadline = instant
        guard let instant, closeReason == nil else { return }
        deadlineTimer = loop.scheduleTimer(at: instant) { [weak self] in
            guard let self, closeReason == nil else { return }
            deadlineTimer = nil
            deadline = nil
            handler?.connectionDeadlineExpired(self)
        }
    }

    @discardableResult
    public func issueSessionTicket() -> Bool {
        guard isOpen else { return false }
        issuedTicketCount += 1
        return true
    }

    // MARK: - What the test does

    /// The handshake finished: the handler hears `connectionDidOpen`.
    public func open() {
        precondition(!isOpen && closeReason == nil, "an embedded connection opens once")
        isOpen = true
        handler?.connectionDidOpen(self)
        deliverInbound()
    }

    /// The peer sent `bytes`; delivered now unless reading is paused.
    public func deliver(_ bytes: some Collection<UInt8>) {
        guard closeReason == nil else { return }
        inbound.append(contentsOf: bytes)
        deliverInbound()
    }

    /// The peer read up to `maximumBytes` of what was written; the handler
    /// hears `connectionDidBecomeWritable` when that drains the queue below
    /// its low-water mark after backpressure.
    public func takeWritten(maximumBytes: Int = .max) -> [UInt8] {
        let taken = Array(outbound.prefix(maximumBytes))
        outbound.removeFirst(taken.count)
        if readingPausedByBackpressure, outbound.count < limits.writeQueueLowWaterBytes {
            readingPausedByBackpressure = false
            if closeReason == nil { handler?.connectionDidBecomeWritable(self) }
            deliverInbound()
        }
        return taken
    }

    /// The peer closed (or the socket failed) with `reason`.
    public func peerClosed(_ reason: CloseReason = .peerClosed) {
        abort(reason)
    }

    /// The server is shutting down: the handler decides when to close.
    public func requestDrain() {
        guard closeReason == nil else { return }
        guard isOpen else { return abort(.shutdown) }
        handler?.connectionShouldDrain(self)
    }

    private func deliverInbound() {
        while isOpen, !inbound.isEmpty, !readingPausedByHandler, !readingPausedByBackpressure {
            let chunk = inbound
            inbound.removeAll()
            chunk.withUnsafeBytes { handler?.connection(self, didRead: $0) }
        }
    }

    private func abort(_ reason: CloseReason) {
        guard closeReason == nil else { return }
        closeReason = reason
        isOpen = false
        inbound.removeAll()
        if let deadlineTimer { loop.cancelTimer(deadlineTimer) }
        deadlineTimer = nil
        handler?.connectionDidClose(self, reason: reason)
        handler = nil
    }
}
