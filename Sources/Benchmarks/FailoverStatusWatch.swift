import LocalFleet
import Primitives
import Transport

/// Samples, while agents re-attach after a leader kill, how many nodes the
/// acting leader among the survivors counts suspect and down (its
/// `hotswap_agent_nodes` gauges), at most once a second, keeping the worst.
struct FailoverStatusWatch {
    let api: DevAPI
    /// The surviving coordinators' API addresses; followers report no counts.
    let addresses: [String]
    private(set) var maximumSuspect: Int?
    private(set) var maximumDown: Int?
    /// The acting leader's `/metrics` at the last sample that found one.
    private(set) var leaderMetricsText: String?
    private var sampledAt: MonotonicInstant?

    init(api: DevAPI, addresses: [String]) {
        self.api = api
        self.addresses = addresses
    }

    mutating func sampleIfDue() {
        let now = MonotonicInstant.now()
        if let sampledAt, sampledAt.duration(until: now) < .seconds(1) { return }
        sampledAt = now
        for address in addresses {
            guard case let .success(text) = api.metrics(at: address),
                  let suspect = Self.gauge(text, status: "suspect"), let down = Self.gauge(text, status: "down"),
                  let live = Self.gauge(text, status: "live"), live + suspect + down > 0 else { continue }
            maximumSuspect = max(maximumSuspect ?? 0, suspect)
            maximumDown = max(maximumDown ?? 0, down)
            leaderMetricsText = text
        }
    }

    /// What the new leader's agent port did: connections, resumed and failed handshakes, refused sessions.
    var leaderAgentPortSummary: String {
        guard let text = leaderMetricsText else { return "no acting leader answered" }
        func value(_ series: String) -> String { Self.value(text, series: series).map { "\(Int($0))" } ?? "?" }
        let endpoint = "{endpoint=\"agent\"}"
        return "agent port: \(value("hotswap_transport_connections_accepted_total" + endpoint)) connections accepted, "
            + "\(value("hotswap_transport_handshakes_resumed_total" + endpoint)) resumed, "
            + "\(value("hotswap_transport_handshake_failures_total" + endpoint)) handshakes failed, "
            + "\(value("hotswap_agent_sessions_refused_total")) sessions refused"
    }

    private static func gauge(_ metricsText: String, status: String) -> Int? {
        value(metricsText, series: "hotswap_agent_nodes{status=\"\(status)\"}").map { Int($0) }
    }

    private static func value(_ metricsText: String, series: String) -> Double? {
        let prefix = series + " "
        guard let line = metricsText.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
        return Double(line.dropFirst(prefix.count))
    }
}
