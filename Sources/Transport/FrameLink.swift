import Primitives
import Wire

/// One outbound framed mTLS connection kept alive to a fixed target: it dials (a host name
/// resolved again at each dial, off the loop, by a `HostResolver`, and its addresses tried in
/// turn within the dial: `DialAttempt`),
/// verifies the server (address, role and, given `expectedPeerName`, the
/// identity its certificate proves), reconnects with jittered exponential
/// backoff, and holds frames sent while disconnected in a bounded queue (the
/// oldest are dropped and counted — the protocols above tolerate loss).
/// Frames that may be lost (Raft messages, which Raft sends again) go through
/// `offer`, which drops and counts a frame rather than hold it while the link
/// is down or let the link's backlog grow past `backlogBytesMaximum` behind a
/// peer that reads slowly.
/// It pings the server every `keepaliveInterval`; a connection that brings
/// no frame back within `idleTimeout` is dead (a partition, a pulled cable:
/// TCP alone would wait minutes) and is redialled. The pongs also measure
/// the round-trip time. Each ping may carry the link user's `keepaliveAdvertisement`
/// after its own fields (what a coordinator tells the members it dials: PROTOCOL.md); the
/// first such ping goes at once on connecting, before any queued frame, so the server reads
/// it before anything else from this connection. A frame over `frameSizeMaximumBytes` is refused at
/// `send`; a sender of much data paces itself with `isWritable` and
/// `whenWritable`. Confined to its loop; `start` and `stop` are its owner's
/// to call.
public final class FrameLink: FrameSender, @unchecked Sendable {
    public struct Settings: Sendable {
        /// Frames `send` holds while the link is down; past it the oldest is dropped and counted.
        public var queueFramesMaximum = 1_024
        public var frameSizeMaximumBytes = FrameCodec.frameSizeMaximumBytesDefault
        public var keepaliveInterval: Duration = .seconds(1)
        /// No frame (not even a pong) for this long closes the connection.
        public var idleTimeout: Duration = .seconds(4)
        /// Appended to every keepalive ping (at most `keepaliveAdvertisementBytesMaximum`); a
        /// server reads it with `FrameLink.keepaliveAdvertisement(inPing:)`. Empty: pings carry
        /// only their send time, as before advertisements, and the first one waits an interval.
        public var keepaliveAdvertisement: [UInt8] = []
        public var limits = ConnectionLimits()
        /// Addresses of a name one dial tries before the link backs off, each within
        /// `limits.handshakeTimeout` (connect and TLS handshake) and, once open, a keepalive interval:
        /// a whole dial takes at most this x (the handshake timeout plus under one keepalive interval).
        public var addressesPerDialMaximum = 4 {
            didSet { precondition(addressesPerDialMaximum >= 1, "a dial tries at least one address") }
        }
        public init() {}

        /// The most bytes `offer` lets wait on the connection unsent (4 MiB by default): half
        /// of `limits.writeQueueMaximumBytes`, past which the connection would be closed as a
        /// peer that is not reading, losing everything queued instead of one message.
        public var backlogBytesMaximum: Int { limits.writeQueueMaximumBytes / 2 }
    }

    /// Opens one connection and installs the handler made for it; throwing
    /// means the attempt failed at once (the link retries after its backoff).
    public typealias Dial = (_ address: SocketAddress, _ makeHandler: (any Connection) -> any ConnectionHandler)
        throws(TransportError) -> Void

    public let loop: EventLoop
    /// What the link dials, as given: a numeric address, or a name resolved at each dial.
    public let target: HostPort
    private let resolver: HostResolver?
    /// Which of the name's addresses a dial tries first (modulo the answer) when `lastEstablished`
    /// is not in it: moved past each address that failed (a name with an IPv6 and an IPv4 address,
    /// the server on one).
    private var dialTurn = 0
    /// The address the last established connection was made to: the next dial starts at it when
    /// the name still gives it, wherever it now is in the answer.
    private var lastEstablished: SocketAddress?
    /// The address of the current connection.
    private var connectedAddress: SocketAddress?
    /// The addresses this dial has yet to try; finished once one established.
    private var attempt = DialAttempt.finished
    /// Tells a resolution's answer from an earlier one that a stop or a retry made stale.
    private var resolutionSerial: UInt64 = 0
    /// Dials whose name gave no address.
    public private(set) var resolutionFailureCount = 0
    /// The `AuthenticatedPeer.name` the server must prove; nil accepts any
    /// peer the context's authorizer lets through.
    public let expectedPeerName: String?
    private let settings: Settings
    private let dialConnection: Dial
    private weak var receiver: (any FrameLinkReceiver)?
    private var backoff: Backoff
    private var channel: FrameChannel?
    /// Whether the current connection is established (`FrameLinkReceiver.linkIsEstablished`):
    /// only then is the backoff reset, so a peer that refuses at once is redialled ever more slowly.
    private var isEstablished = false
    private var pending: [Frame] = []
    private var retryTimer: TimerID?
    private var keepaliveTimer: TimerID?
    /// The latest keepalive round trip; nil until one came back.
    public private(set) var roundTrip: Duration?
    private var isStopped = true
    /// Frames dropped: refused by `offer`, or the oldest held by `send` while the link is down.
    public private(set) var droppedFrameCount = 0
    /// Counts the connections this link opened: a paced sender that sees it
    /// change knows its earlier frames may not have arrived.
    public private(set) var connectionSerial: UInt64 = 0
    private var writableWaiters: [() -> Void] = []

    /// A link over mutual TLS. `contexts` is read at every dial, so certificates
    /// reloaded on SIGHUP apply to the next connection; `sessionCache` is offered
    /// at every dial, so a redial resumes the last session instead of a full handshake.
    /// With `expectedPeerName` the contexts need an authorizer (`.required`) to name the server.
    /// A `target` that is a name needs `resolver`.
    public convenience init(loop: EventLoop, target: HostPort, resolver: HostResolver? = nil, serverName: String,
                            expectedPeerName: String? = nil, contexts: TLSContextStore, settings: Settings = .init(),
                            backoff: Backoff, receiver: any FrameLinkReceiver, sessionCache: TLSSessionCache? = nil) {
        let limits = settings.limits
        self.init(loop: loop, target: target, resolver: resolver, expectedPeerName: expectedPeerName, settings: settings,
                  backoff: backoff, receiver: receiver) { address, makeHandler
            throws(TransportError) in
            _ = try TLSClient.connect(to: address, expectedServerName: serverName, context: contexts.current,
                                      limits: limits, sessionCache: sessionCache, on: loop, makeHandler: makeHandler)
        }
    }

    /// A link whose connections `dial` opens: TLS in production, embedded connections in tests.
    public init(loop: EventLoop, target: HostPort, resolver: HostResolver? = nil, expectedPeerName: String? = nil,
                settings: Settings = .init(), backoff: Backoff, receiver: any FrameLinkReceiver, dial: @escaping Dial) {
        precondition(!target.isName || resolver != nil, "a link to the name \(target.host) needs a resolver")
        self.loop = loop
        self.target = target
        self.resolver = resolver
        self.expectedPeerName = expectedPeerName
        self.settings = settings
        self.backoff = backoff
        self.receiver = receiver
        dialConnection = dial
    }

    public var isConnected: Bool { channel?.connection.isOpen ?? false }

    /// The current connection's TLS handshake resumed a session ticket (proved no key).
    public var isResumed: Bool { channel?.connection.isResumed ?? false }

    /// Connected, and the write queue under its high-water mark.
    public var isWritable: Bool { channel?.isWritable ?? false }

    public var frameSizeMaximumBytes: Int { settings.frameSizeMaximumBytes }

    public static let keepaliveAdvertisementBytesMaximum = 256

    /// What follows a keepalive ping's own fields in `payload`: a client's advertisement, empty
    /// from a link without one (or of a build before them); nil when `payload` is no keepalive
    /// ping (a user's own ping) or its advertisement is over the bound.
    public static func keepaliveAdvertisement(inPing payload: [UInt8]) -> [UInt8]? {
        KeepalivePayload.advertisement(in: payload)
    }

    /// Runs `action` once, the next time the link connects or its write
    /// queue drains after backpressure (or is stopped: then never).
    public func whenWritable(_ action: @escaping () -> Void) {
        loop.preconditionInLoop()
        guard !isStopped else { return }
        writableWaiters.append(action)
    }

    public func start() {
        loop.preconditionInLoop()
        guard isStopped else { return }
        isStopped = false
        dial()
    }

    /// Closes the connection and cancels any retry; queued frames are dropped.
    public func stop() {
        loop.preconditionInLoop()
        isStopped = true
        resolutionSerial &+= 1
        if let retryTimer { loop.cancelTimer(retryTimer) }
        retryTimer = nil
        cancelKeepalive()
        pending.removeAll()
        writableWaiters.removeAll()
        channel?.close(.local("link stopped"))
        channel = nil
    }

    /// Sends or queues `frame`; refuses (and counts) one over `frameSizeMaximumBytes`.
    public func send(_ frame: Frame) throws(FrameSendError) {
        loop.preconditionInLoop()
        try FrameSendError.check(frame, maximumBytes: settings.frameSizeMaximumBytes)
        guard !isStopped else { return }
        if let channel, channel.connection.isOpen {
            channel.sendChecked(frame)
            return
        }
        if pending.count >= settings.queueFramesMaximum {
            pending.removeFirst()
            droppedFrameCount += 1
        }
        pending.append(frame)
    }

    /// Sends `frame` at once if the link is connected and its backlog (bytes written to the
    /// connection and not yet sent) stays within `backlogBytesMaximum`; otherwise drops it,
    /// counts it and answers false. Unlike `send` it holds nothing while the link is down:
    /// by the time the peer is back such a frame is stale (a heartbeat, an append Raft has
    /// since sent again), and a burst of them would only make work there, so etcd's
    /// transport drops a message to an inactive peer too.
    public func offer(_ frame: Frame) throws(FrameSendError) -> Bool {
        loop.preconditionInLoop()
        try FrameSendError.check(frame, maximumBytes: settings.frameSizeMaximumBytes)
        guard let channel, hasRoom(forBytes: Self.encodedBytes(frame)) else {
            droppedFrameCount += 1
            return false
        }
        channel.sendChecked(frame)
        return true
    }

    /// Whether `offer` would take a frame of `bytes` now: a sender can ask before it builds
    /// an expensive frame, with a lower bound of its size.
    public func hasRoom(forBytes bytes: Int) -> Bool {
        loop.preconditionInLoop()
        guard let channel, channel.connection.isOpen else { return false }
        return channel.connection.queuedOutboundBytes + bytes <= settings.backlogBytesMaximum
    }

    /// The bytes `frame` takes on the wire.
    private static func encodedBytes(_ frame: Frame) -> Int {
        Frame.headerBytes + frame.payload.count
    }

    /// Dials a numeric target at once; resolves a name first, on the resolver's thread (never
    /// this loop's: `getaddrinfo` blocks), and dials what it answers back on the loop.
    private func dial() {
        retryTimer = nil
        guard !isStopped else { return }
        guard let resolver, target.isName else {
            if let numeric = target.numeric { begin([numeric]) }
            return
        }
        resolutionSerial &+= 1
        let serial = resolutionSerial
        resolver.resolve(target.host, port: target.port, answeringOn: loop) { [weak self] result in
            self?.resolved(result, serial: serial)
        }
    }

    private func resolved(_ result: Result<[SocketAddress], ResolutionFailure>, serial: UInt64) {
        guard !isStopped, serial == resolutionSerial, channel == nil, retryTimer == nil else { return }
        switch result.flatMap({ $0.isEmpty ? .failure(ResolutionFailure(host: target.host, detail: "no address")) : .success($0) }) {
        case let .success(addresses):
            begin(addresses)
        case let .failure(failure):
            resolutionFailureCount += 1
            receiver?.link(self, didFailToResolve: failure)
            // A dial that found no address failed like one whose addresses all refused: an agent
            // counts it toward moving to its next coordinator (a deleted pod's name stays unresolved).
            receiver?.linkWillBackOff(self)
            scheduleRetry()
        }
    }

    private func begin(_ addresses: [SocketAddress]) {
        if let lastEstablished, let index = DialAttempt.distinct(addresses).firstIndex(of: lastEstablished) {
            dialTurn = index
        }
        lastEstablished = nil
        attempt = DialAttempt(addresses: addresses, startingAt: dialTurn, maximum: settings.addressesPerDialMaximum)
        dialNextAddress()
    }

    /// Dials the attempt's next address, or backs off once each has failed.
    private func dialNextAddress() {
        retryTimer = nil
        guard !isStopped else { return }
        guard let address = attempt.next() else { return scheduleRetry() }
        connect(to: address)
    }

    /// Goes on to the attempt's next address on the loop's next turn (a closing connection's
    /// callback is no place to open another), or backs off when none is left.
    private func moveToNextAddress() {
        guard !isStopped, retryTimer == nil else { return }
        guard attempt.isFinished else {
            retryTimer = loop.scheduleTimer(after: .zero) { [weak self] in self?.dialNextAddress() }
            return
        }
        receiver?.linkWillBackOff(self)
        scheduleRetry()
    }

    private func connect(to address: SocketAddress) {
        isEstablished = false
        connectedAddress = address
        let adapter = LinkChannelReceiver(link: self)
        do {
            try dialConnection(address) { connection in
                let made = FrameChannel(connection: connection, frameSizeMaximumBytes: settings.frameSizeMaximumBytes,
                                        idleTimeout: settings.idleTimeout, receiver: adapter)
                channel = made
                return made
            }
        } catch {
            channel = nil
            dialTurn &+= 1
            moveToNextAddress()
        }
    }

    /// A server that proves another name than `expectedPeerName` (a member's
    /// address now reached by someone else) is closed before any frame goes
    /// out; its close reaches the receiver and the link redials with backoff.
    fileprivate func channelOpened(_ opened: FrameChannel) {
        guard opened === channel else { return }
        if let expectedPeerName, opened.peer?.name != expectedPeerName {
            let proved = opened.peer.map { "\($0)" } ?? "no identity"
            return opened.close(.protocolViolation("expected peer \(expectedPeerName), but the server proved \(proved)"))
        }
        isEstablished = false
        connectionSerial += 1
        if !settings.keepaliveAdvertisement.isEmpty { sendKeepalive(on: opened) }
        let queued = pending
        pending.removeAll()
        for frame in queued { opened.sendChecked(frame) }
        scheduleKeepalive()
        receiver?.linkDidConnect(self)
        channelBecameWritable(opened)
    }

    fileprivate func channelBecameWritable(_ writable: FrameChannel) {
        guard writable === channel else { return }
        let waiters = writableWaiters
        writableWaiters.removeAll()
        for action in waiters { action() }
    }

    fileprivate func channelReceived(_ frame: Frame) {
        establish()
        if let sentAt = KeepalivePayload.sentAt(inPong: frame) {
            roundTrip = MonotonicInstant(nanoseconds: sentAt).duration(until: loop.now)
            return
        }
        receiver?.link(self, didReceive: frame)
    }

    fileprivate func channelClosed(_ closed: FrameChannel, reason: CloseReason) {
        guard closed === channel else { return }
        channel = nil
        if !isEstablished { dialTurn &+= 1 }
        cancelKeepalive()
        receiver?.linkDidDisconnect(self, reason: reason)
        moveToNextAddress()
    }

    private func scheduleKeepalive() {
        keepaliveTimer = loop.scheduleTimer(after: settings.keepaliveInterval) { [weak self] in
            guard let self, let channel, channel.connection.isOpen else { return }
            establish()
            sendKeepalive(on: channel)
            scheduleKeepalive()
        }
    }

    private func establish() {
        guard !isEstablished else { return }
        isEstablished = true
        lastEstablished = connectedAddress
        attempt = .finished
        backoff.reset()
        receiver?.linkIsEstablished(self)
    }

    private func sendKeepalive(on channel: FrameChannel) {
        let payload = KeepalivePayload.make(at: loop.now, advertisement: settings.keepaliveAdvertisement)
        channel.sendChecked(Frame(kind: FrameKind.ping.rawValue, payload: payload))
    }

    private func cancelKeepalive() {
        if let keepaliveTimer { loop.cancelTimer(keepaliveTimer) }
        keepaliveTimer = nil
    }

    private func scheduleRetry() {
        guard !isStopped, retryTimer == nil else { return }
        let delay = backoff.nextDelay()
        retryTimer = loop.scheduleTimer(after: delay) { [weak self] in self?.dial() }
    }
}

/// Forwards a link's channel events to the link without a retain cycle.
private final class LinkChannelReceiver: FrameReceiver {
    weak var link: FrameLink?

    init(link: FrameLink) { self.link = link }

    func channelDidOpen(_ channel: FrameChannel) { link?.channelOpened(channel) }

    func channel(_ channel: FrameChannel, didReceive frame: Frame) throws(FrameChannelError) {
        link?.channelReceived(frame)
    }

    func channelDidClose(_ channel: FrameChannel, reason: CloseReason) { link?.channelClosed(channel, reason: reason) }

    func channelDidBecomeWritable(_ channel: FrameChannel) { link?.channelBecameWritable(channel) }
}
