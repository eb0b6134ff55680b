import CommandLineSupport

/// A coordinator's addresses as it bound them, from its `coordinator started` log line.
public struct CoordinatorEndpoints: Equatable {
    public let name: String
    public let api: String
    public let peer: String
    public let agent: String

    static let startedMarker = "msg=\"coordinator started\""

    /// Reads `api=`, `peer=` and `agent=` from a logfmt `coordinator started` line.
    init?(name: String, startedLine line: String) {
        guard line.contains(Self.startedMarker),
              let api = Self.field("api", in: line), let peer = Self.field("peer", in: line),
              let agent = Self.field("agent", in: line) else { return nil }
        self.name = name
        self.api = api
        self.peer = peer
        self.agent = agent
    }

    private static func field(_ key: String, in line: String) -> String? {
        let prefix = key + "="
        guard let token = line.split(separator: " ").first(where: { $0.hasPrefix(prefix) }) else { return nil }
        let value = token.dropFirst(prefix.count)
        return value.isEmpty ? nil : String(value)
    }
}

/// The three waits between starting `hotswap dev`'s processes and calling the
/// fleet ready, all under one deadline: each coordinator has bound its ports;
/// every coordinator names the same leader; every agent is `live` in the
/// leader's `GET /api/v1/nodes` with a report. Every poll first checks that
/// no child has ended (a failure naming it) and that the user has not asked
/// to stop (`DevInterruption`). A timeout names what is missing and quotes
/// the logs of the processes at fault.
public struct DevStartup {
    static let pollInterval: Duration = .milliseconds(200)

    let fleet: DevFleet
    let signals: DevSignals
    let timeout: Duration
    let deadline: ContinuousClock.Instant

    public init(fleet: DevFleet, signals: DevSignals, timeout: Duration) {
        self.fleet = fleet
        self.signals = signals
        self.timeout = timeout
        deadline = ContinuousClock.now.advanced(by: timeout)
    }

    /// The addresses every coordinator logged once it had bound its ports.
    public func coordinatorEndpoints() throws -> [CoordinatorEndpoints] {
        var found: [String: CoordinatorEndpoints] = [:]
        return try poll(failure: {
            let missing = fleet.coordinators.filter { found[$0.name] == nil }
            return DevFailure("\(missing.map(\.name).joined(separator: ", ")) did not bind its ports within \(timeout.text)\n"
                              + missing.map(LogFile.tailBlock).joined(separator: "\n"))
        }) {
            for child in fleet.coordinators where found[child.name] == nil {
                if let line = LogFile.firstLine(in: child.logPath, containing: CoordinatorEndpoints.startedMarker,
                                                 from: child.logOffset) {
                    found[child.name] = CoordinatorEndpoints(name: child.name, startedLine: line)
                }
            }
            let all = fleet.coordinators.compactMap { found[$0.name] }
            return all.count == fleet.coordinators.count ? all : nil
        }
    }

    /// The leader every coordinator names, once they agree.
    public func agreedLeader(api: DevAPI, endpoints: [CoordinatorEndpoints]) throws -> String {
        var views: [String] = []
        return try poll(failure: {
            DevFailure("the coordinators did not agree on a leader within \(timeout.text): \(views.joined(separator: "; "))\n"
                       + fleet.coordinators.map(LogFile.tailBlock).joined(separator: "\n"))
        }) {
            let leaders = endpoints.map { endpoint in
                api.cluster(at: endpoint.api).map(\.leader)
            }
            views = zip(endpoints, leaders).map { endpoint, leader in
                switch leader {
                case let .success(name): "\(endpoint.name) says \(name ?? "no leader")"
                case let .failure(failure): "\(endpoint.name): \(failure)"
                }
            }
            let names = leaders.map { leader -> String? in
                if case let .success(name) = leader { return name }
                return nil
            }
            guard let first = names.first ?? nil, names.allSatisfy({ $0 == first }),
                  endpoints.contains(where: { $0.name == first }) else { return nil }
            return first
        }
    }

    /// The node list once every agent in `agentNames` is live with a report.
    func agentsReporting(api: DevAPI, leaderAPI: String, agentNames: [String]) throws -> NodeListing {
        var lastError: DevFailure?
        var waiting: [String] = agentNames
        return try poll(failure: {
            let quiet = fleet.agents.filter { waiting.contains($0.name) }
            let reason = lastError.map { "; the last answer: \($0)" } ?? ""
            return DevFailure("\(waiting.joined(separator: ", ")) not reporting to the leader within \(timeout.text)\(reason)\n"
                              + quiet.map(LogFile.tailBlock).joined(separator: "\n"))
        }) {
            switch api.nodes(at: leaderAPI) {
            case let .failure(failure):
                lastError = failure
                return nil
            case let .success(listing):
                lastError = nil
                let reporting = Set(listing.nodes.filter { $0.status == "live" && $0.lastReport != nil }.map(\.id))
                waiting = agentNames.filter { !reporting.contains($0) }
                return waiting.isEmpty ? listing : nil
            }
        }
    }

    /// Runs `attempt` every `pollInterval` until it gives a value, the
    /// deadline passes (`failure()`), a child ends, or a signal arrives.
    private func poll<Value>(failure: () -> DevFailure, _ attempt: () -> Value?) throws -> Value {
        while true {
            try fleet.requireAllRunning()
            if signals.received > 0 { throw DevInterruption() }
            if let value = attempt() { return value }
            guard ContinuousClock.now < deadline else { throw failure() }
            if signals.pause(Self.pollInterval) { throw DevInterruption() }
        }
    }
}
