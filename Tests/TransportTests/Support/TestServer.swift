import Observability
@testable import Transport
import Primitives

/// An in-process TLS endpoint on an ephemeral loopback port with its own
/// event loops. `shutdown` stops accepting, drains, and joins the loop
/// threads; call it (with `defer`) in every test that makes one.
final class TestServer: @unchecked Sendable {
    let group: EventLoopGroup
    let endpoint: TLSEndpoint
    let metrics = MetricsRegistry()
    /// What the endpoint logged (why connections closed, among others).
    let log: LogCapture
    private var isShutDown = false

    /// An HTTPS server over `routes`.
    init(certificates: TestCertificates, loopCount: Int = 1, routes: HTTPRoutes,
         configuration: HTTPServerConfiguration = .init(), limits: ConnectionLimits = .init(),
         maximumConnections: Int = 64, authorizer: PeerAuthorizer? = nil, isCertificateOptional: Bool = false) throws {
        let (sink, log) = LogSink.capturing()
        self.log = log
        let logger = Logger(component: "transport-test", sink: sink)
        group = try EventLoopGroup(loopCount: loopCount)
        do {
            endpoint = HTTPServer.makeEndpoint(
                name: "test-http", address: try SocketAddress(parsing: "127.0.0.1:0"), group: group,
                contexts: try certificates.serverContexts(authorizer: authorizer, isCertificateOptional: isCertificateOptional),
                routes: routes,
                configuration: configuration, limits: limits, maximumConnections: maximumConnections,
                logger: logger, metrics: metrics)
            try endpoint.start()
        } catch {
            group.shutdown()
            throw error
        }
    }

    /// A TLS server whose connections get handlers from `makeHandler` (frame channels).
    /// Without `contexts` it is server-auth only, with the test server certificate.
    init(certificates: TestCertificates, contexts: TLSContextStore? = nil, loopCount: Int = 1,
         limits: ConnectionLimits = .init(), maximumConnections: Int = 64, port: UInt16 = 0,
         makeHandler: @escaping @Sendable (TLSConnection) -> any ConnectionHandler) throws {
        let (sink, log) = LogSink.capturing()
        self.log = log
        let logger = Logger(component: "transport-test", sink: sink)
        group = try EventLoopGroup(loopCount: loopCount)
        do {
            endpoint = TLSEndpoint(
                name: "test-tls", address: try SocketAddress(host: "127.0.0.1", port: port), group: group,
                contexts: try contexts ?? certificates.serverContexts(), limits: limits,
                maximumConnections: maximumConnections, logger: logger, metrics: metrics,
                makeHandler: makeHandler)
            try endpoint.start()
        } catch {
            group.shutdown()
            throw error
        }
    }

    var address: SocketAddress { endpoint.boundAddress }
    var port: UInt16 { endpoint.boundAddress.port }

    /// The server side of every open connection, sampled on the loops.
    func openConnectionCount() -> Int { endpoint.connectionCount }

    /// Stops accepting, drains within `drainTimeout`, joins the loops; returns the forced closes.
    @discardableResult
    func shutdown(drainTimeout: Duration = .seconds(5)) -> Int {
        guard !isShutDown else { return 0 }
        isShutDown = true
        endpoint.stopAccepting()
        let forced = endpoint.drain(timeout: drainTimeout)
        group.shutdown()
        return forced
    }
}
