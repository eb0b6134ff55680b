import Observability

/// The counters one endpoint exports, labelled with the endpoint's name.
struct EndpointMetrics: Sendable {
    let accepted: Counter
    let refused: Counter
    let handshakeFailures: Counter
    let resumedHandshakes: Counter

    init(endpoint: String, registry: MetricsRegistry, currentConnections: @escaping @Sendable () -> Double) {
        let labels = [("endpoint", endpoint)]
        accepted = registry.counter("hotswap_transport_connections_accepted_total",
                                    help: "TCP connections accepted.", labels: labels)
        refused = registry.counter("hotswap_transport_connections_refused_total",
                                   help: "Connections closed at accept because the endpoint was at its connection bound.",
                                   labels: labels)
        handshakeFailures = registry.counter("hotswap_transport_handshake_failures_total",
                                             help: "TLS handshakes that failed or were refused.", labels: labels)
        resumedHandshakes = registry.counter("hotswap_transport_handshakes_resumed_total",
                                             help: "TLS handshakes that resumed a session from a ticket.", labels: labels)
        registry.gaugeFunction("hotswap_transport_connections", help: "Open connections.", labels: labels,
                               currentConnections)
    }
}
