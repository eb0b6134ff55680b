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
        }
    }

    private static func gauge(_ metricsText: String, status: String) -> Int? {
        let prefix = "hotswap_agent_nodes{status=\"\(status)\"} "
        guard let line = metricsText.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
        return Double(line.dropFirst(prefix.count)).map { Int($0) }
    }
}
