import Glibc
import Observability
import Synchronization
import Transport

/// A running coordinator process: its event loops, its API, peer and agent
/// endpoints, and its metrics. It owns all of them — `start` brings them up,
/// `shutdown` stops accepting, drains within a bound and joins the loops.
public final class CoordinatorServer: Sendable {
    public let configuration: CoordinatorConfiguration
    public let metrics = MetricsRegistry()
    private let logger: Logger
    private let group: EventLoopGroup
    private let tls: CoordinatorTLS
    private let endpoints: [TLSEndpoint]
    private let stopped = Atomic<Bool>(false)

    public init(_ configuration: CoordinatorConfiguration, logger: Logger) throws(TransportError) {
        self.configuration = configuration
        self.logger = logger
        tls = try CoordinatorTLS(configuration)
        group = try EventLoopGroup()
        let limits = configuration.limits
        var connectionLimits = ConnectionLimits()
        connectionLimits.handshakeTimeout = limits.handshakeTimeout
        var routes = HTTPRoutes()
        HealthRoutes.register(in: &routes, metrics: metrics) { true }
        let api = HTTPServer.makeEndpoint(
            name: "api", address: configuration.apiAddress, group: group, contexts: tls.api, routes: routes,
            configuration: limits.http, limits: connectionLimits, maximumConnections: limits.apiConnectionsMaximum,
            logger: logger, metrics: metrics)
        let peer = Self.frameEndpoint(name: "peer", address: configuration.peerAddress, contexts: tls.peer,
                                      maximumConnections: limits.peerConnectionsMaximum, group: group,
                                      limits: limits, connectionLimits: connectionLimits, logger: logger, metrics: metrics)
        let agent = Self.frameEndpoint(name: "agent", address: configuration.agentAddress, contexts: tls.agent,
                                       maximumConnections: limits.agentConnectionsMaximum, group: group,
                                       limits: limits, connectionLimits: connectionLimits, logger: logger, metrics: metrics)
        endpoints = [api, peer, agent]
    }

    private static func frameEndpoint(name: String, address: SocketAddress, contexts: TLSContextStore,
                                      maximumConnections: Int, group: EventLoopGroup, limits: CoordinatorLimits,
                                      connectionLimits: ConnectionLimits, logger: Logger,
                                      metrics: MetricsRegistry) -> TLSEndpoint {
        TLSEndpoint(name: name, address: address, group: group, contexts: contexts, limits: connectionLimits,
                    maximumConnections: maximumConnections, logger: logger, metrics: metrics) { connection in
            FrameChannel(connection: connection, frameSizeMaximumBytes: limits.frameSizeMaximumBytes,
                         idleTimeout: limits.frameIdleTimeout, receiver: PingResponder())
        }
    }

    /// Binds every endpoint; on failure the ones already started are stopped.
    public func start() throws(TransportError) {
        do {
            for endpoint in endpoints { try endpoint.start() }
        } catch {
            shutdown()
            throw error
        }
        logger.info("coordinator started", ["name": configuration.name,
                                            "api": "\(endpoints[0].boundAddress)",
                                            "peer": "\(endpoints[1].boundAddress)",
                                            "agent": "\(endpoints[2].boundAddress)"])
    }

    /// Re-reads certificates and keys; a failure keeps the old ones and is logged.
    public func reloadCertificates() {
        do {
            try tls.reload()
            logger.info("certificates reloaded", ["certificate": configuration.certificatePath])
        } catch {
            logger.error("certificate reload failed; keeping the previous certificates", ["error": "\(error)"])
        }
    }

    public var connectionCount: Int {
        endpoints.reduce(0) { $0 + $1.connectionCount }
    }

    /// Stops accepting, gives open connections `limits.shutdownTimeout` to
    /// finish, closes the rest and stops the loops.
    public func shutdown() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for endpoint in endpoints { endpoint.stopAccepting() }
        let deadline = MonotonicInstant.now().advanced(by: configuration.limits.shutdownTimeout)
        var forced = 0
        for endpoint in endpoints {
            forced += endpoint.drain(timeout: MonotonicInstant.now().duration(until: deadline))
        }
        group.shutdown()
        logger.info("coordinator stopped", ["forced_closes": "\(forced)"])
    }
}
