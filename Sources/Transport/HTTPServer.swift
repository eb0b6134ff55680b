import Observability
import Primitives

/// Builds the TLS endpoint of an HTTPS server: each accepted connection gets
/// an HTTP/1.1 handler over the given routes.
public enum HTTPServer {
    public static func makeEndpoint(name: String, address: SocketAddress, group: EventLoopGroup,
                                    contexts: TLSContextStore, routes: HTTPRoutes,
                                    configuration: HTTPServerConfiguration = .init(),
                                    limits: ConnectionLimits = .init(), maximumConnections: Int,
                                    logger: Logger, metrics: MetricsRegistry) -> TLSEndpoint {
        let serverMetrics = HTTPServerMetrics(server: name, registry: metrics)
        return TLSEndpoint(name: name, address: address, group: group, contexts: contexts, limits: limits,
                           maximumConnections: maximumConnections, logger: logger, metrics: metrics) { connection in
            HTTPServerHandler(connection: connection, routes: routes, configuration: configuration, metrics: serverMetrics)
        }
    }
}
