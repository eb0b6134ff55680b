import Observability

/// The counters one endpoint exports, labelled with the endpoint's name.
struct EndpointMetrics: Sendable {
    let accepted: Counter
    let refused: Counter
    let handshakeFailures: Counter
    let resumedHandshakes: Counter
    let handshakesEvicted: Counter

    init(endpoint: String, registry: MetricsRegistry, currentConnections: @escaping @Sendable () -> Double) {
        let labels = [("endpoint", endpoint)]
        accepted = registry.counter("hotswap_transport_connections_accepted_total",
                                    help: "TCP connections accepted.", labels: labels)
        refused = registry.counter("hotswap_transport_connections_refused_total",
                                   help: "Connections refused at accept: their source's handshakes, or the endpoint's "
                                       + "established connections, were at their bound.",
                                   labels: labels)
        handshakeFailures = registry.counter("hotswap_transport_handshake_failures_total",
                                             help: "TLS handshakes that failed or were refused.", labels: labels)
        resumedHandshakes = registry.counter("hotswap_transport_handshakes_resumed_total",
                                             help: "TLS handshakes that resumed a session from a ticket.", labels: labels)
        handshakesEvicted = registry.counter("hotswap_transport_handshakes_evicted_total",
                                             help: "Pending TLS handshakes closed to make room for newer ones.", labels: labels)
        registry.gaugeFunction("hotswap_transport_connections", help: "Open connections.", labels: labels,
                               currentConnections)
    }
}
