import Glibc
import Observability
import Primitives

/// A TLS server on one address (the API, peer or agent port): a listener per
/// event loop, a bounded connection table, a handler made for each connection,
/// and an orderly shutdown — stop accepting, let connections drain, close. Connections that
/// finish their handshake without a client certificate are held to `certificateLess` when given
/// (`CertificateLessConnections`), beside the `maximumConnections` others may hold.
public final class TLSEndpoint: @unchecked Sendable {
    public let name: String
    public private(set) var boundAddress: SocketAddress
    public let contexts: TLSContextStore
    let limits: ConnectionLimits
    let logger: Logger
    let group: EventLoopGroup
    let registry: ConnectionRegistry
    private let makeHandler: @Sendable (TLSConnection) -> any ConnectionHandler
    private let metrics: EndpointMetrics
    private let closeLogBudget = LogBudget(linesPerSecondMaximum: 20)
    private let certificateLess: CertificateLessConnections?
    private var listeners: [LoopBound<Listener>] = []

    public init(name: String, address: SocketAddress, group: EventLoopGroup, contexts: TLSContextStore,
                limits: ConnectionLimits = .init(), maximumConnections: Int, certificateLess: SourceQuota.Limits? = nil,
                logger: Logger, metrics: MetricsRegistry, makeHandler: @escaping @Sendable (TLSConnection) -> any ConnectionHandler) {
        self.name = name
        self.boundAddress = address
        self.group = group
        self.contexts = contexts
        self.limits = limits
        self.logger = logger
        self.makeHandler = makeHandler
        self.certificateLess = certificateLess.map {
            CertificateLessConnections(limits: $0, endpoint: name, logger: logger, metrics: metrics)
        }
        let established = maximumConnections + (certificateLess?.totalMaximum ?? 0)
        let registry = ConnectionRegistry(
            limits: ConnectionAdmission.Limits(establishedMaximum: established, handshakesMaximum: limits.handshakesMaximum,
                                               handshakesPerSourceMaximum: limits.handshakesPerSourceMaximum,
                                               evictionAge: limits.handshakeEvictionAge),
            loopCount: group.loops.count)
        self.registry = registry
        self.metrics = EndpointMetrics(endpoint: name, registry: metrics) { Double(registry.count) }
    }

    public var connectionCount: Int { registry.count }

    /// Binds one listening socket per loop and starts accepting. A fixed port
    /// that another listener holds is refused, as a plain bind would be.
    public func start() throws(TransportError) {
        var address = boundAddress
        if address.port != 0 && !ListeningPort.isFree(address) {
            throw .system(operation: "bind \(address) (another listener holds it)", errno: EADDRINUSE)
        }
        var descriptors: [Int32] = []
        do {
            for _ in group.loops {
                let descriptor = try Socket.makeListener(address, reusePort: true)
                descriptors.append(descriptor)
                if address.port == 0, let actual = Socket.localAddress(descriptor) { address = actual }
            }
        } catch {
            descriptors.forEach { _ = close($0) }
            throw error
        }
        boundAddress = address
        for (loop, descriptor) in zip(group.loops, descriptors) {
            let started: Result<LoopBound<Listener>, TransportError> = loop.runAndWait { [self] in
                let listener = Listener(loop: loop, descriptor: descriptor, endpoint: self)
                do throws(TransportError) {
                    try listener.start()
                    return .success(LoopBound(listener, loop: loop))
                } catch {
                    return .failure(error)
                }
            }
            listeners.append(try started.get())
        }
        logger.info("listening", ["endpoint": name, "address": "\(address)"])
    }

    /// Takes ownership of an accepted socket on `loop`: a handshake slot, TLS, handler. The
    /// connection moves to an established slot when its handshake finishes, or is closed. The
    /// descriptor is closed here until a `TLSConnection` is made, by the connection after; the
    /// loop's table holds only connections that started.
    func adopt(descriptor: Int32, remote: SocketAddress?, on loop: EventLoop) {
        let id = registry.makeIdentifier()
        switch registry.admit(id: id, source: ConnectionSource.key(host: remote?.host ?? ""), loopIndex: loop.index, now: loop.now) {
        case .refused:
            close(descriptor)
            metrics.refused.increment()
            return
        case let .admitted(evicting):
            if let evicting { evict(evicting.id, onLoop: evicting.loopIndex) }
        }
        let connection: TLSConnection
        do {
            connection = try TLSConnection(loop: loop, id: id, descriptor: descriptor, remoteAddress: remote,
                                           context: contexts.current, limits: limits, isServer: true)
        } catch {
            close(descriptor)
            return abandon(id, error)
        }
        connection.handler = makeHandler(connection)
        do {
            try start(connection)
        } catch {
            return abandon(id, error)
        }
        registry.insert(connection)
        metrics.accepted.increment()
    }

    /// Starts `connection`, which closes its socket if the loop refuses it. One without a
    /// certificate over its bounds is closed before it takes an established slot.
    private func start(_ connection: TLSConnection) throws(TransportError) {
        try connection.start(onOpen: { [self] opened in
            if opened.peer == nil, let certificateLess, let refusal = certificateLess.admit(id: opened.id, remote: opened.remoteAddress) {
                return opened.abort(.local("no client certificate and \(refusal)"))
            }
            switch registry.establish(opened) {
            case .established:
                if opened.isResumed { metrics.resumedHandshakes.increment() }
            case .refusedEvicted:
                opened.abort(Self.evictedReason)
            case .refusedEstablishedFull:
                metrics.refused.increment()
                opened.abort(.local("the endpoint's \(registry.limits.establishedMaximum) connections are taken"))
            }
        }, onClose: { [self] closed, reason in
            registry.remove(closed)
            certificateLess?.release(id: closed.id)
            noteClose(closed, reason)
        })
    }

    /// Gives back the slot of connection `id`, whose setup failed (its socket is closed).
    private func abandon(_ id: UInt64, _ error: TransportError) {
        logger.warning("could not set up connection", ["endpoint": name, "error": "\(error)"])
        registry.releaseUnstarted(id: id)
    }

    /// Why an evicted connection closes, whether the eviction reaches it during its handshake or
    /// just after it finished (it was counted as evicted, not refused).
    static let evictedReason = CloseReason.timeout("TLS handshake pending while newer ones waited")

    /// Closes the pending handshake `id`, which lives on the loop of index `loopIndex`, to make
    /// room for a newer one.
    private func evict(_ id: UInt64, onLoop loopIndex: Int) {
        metrics.handshakesEvicted.increment()
        let loop = group.loops[loopIndex]
        loop.execute { [registry] in
            registry.connection(id, on: loop)?.abort(Self.evictedReason)
        }
    }

    /// Logs why a connection ended when that says something about the peer
    /// (refused handshake, bad input, timeout), within a per-second budget so a
    /// flood of bad clients cannot flood the log.
    private func noteClose(_ connection: TLSConnection, _ reason: CloseReason) {
        switch reason {
        case .peerClosed, .local, .shutdown: return
        case .handshakeFailed: metrics.handshakeFailures.increment()
        case .protocolViolation, .timeout, .ioError: break
        }
        guard let suppressed = closeLogBudget.take() else { return }
        logger.info("connection closed", ["endpoint": name, "remote": connection.remoteAddress.map { "\($0)" } ?? "-",
                                          "peer": connection.peer.map { "\($0)" } ?? "-", "reason": "\(reason)",
                                          "suppressed": "\(suppressed)"])
    }

    /// Stops accepting new connections; open ones are untouched.
    public func stopAccepting() {
        for listener in listeners {
            listener.loop.runAndWait { listener.value.stop() }
        }
        listeners.removeAll()
    }

    /// Asks every connection to finish and close, waits up to `timeout`, then
    /// closes whatever is left. Returns how many had to be closed by force.
    @discardableResult
    public func drain(timeout: Duration) -> Int {
        for loop in group.loops {
            loop.runAndWait { [registry] in
                for connection in registry.connections(on: loop) { connection.requestDrain() }
            }
        }
        let deadline = MonotonicInstant.now().advanced(by: timeout)
        while registry.count > 0, MonotonicInstant.now() < deadline {
            usleep(10_000)
        }
        var forced = 0
        for loop in group.loops {
            forced += loop.runAndWait { [registry] in
                let left = registry.connections(on: loop)
                for connection in left { connection.abort(.shutdown) }
                return left.count
            }
        }
        return forced
    }
}
