import Gateway
import Transport
import Wire

extension AgentGateway {
    /// Answers a node read from this leader's gateway; 503 when this node
    /// does not act as leader (the caller forwards or retries).
    func answer(_ query: GatewayQuery) -> APIReply {
        let now = MonotonicInstant.now()
        let leadership = self.leadership
        guard leadership.isActing(at: now) else { return .noLeader("this coordinator does not act as leader") }
        let snapshots = snapshots(now: now, wallClockMilliseconds: WallClock.nowMilliseconds())
        switch query {
        case .nodes:
            return .json(200, NodeJSON.list(snapshots, leader: leadership.name, term: leadership.term))
        case let .node(id):
            guard let snapshot = snapshots.first(where: { $0.id == id }) else { return Self.unknown(id) }
            return .json(200, NodeJSON.node(snapshot))
        case let .metrics(id, since):
            guard snapshots.contains(where: { $0.id == id }) else { return Self.unknown(id) }
            let window = window(of: id)
            return .json(200, NodeJSON.metrics(
                id: id, samples: (window?.samples ?? []).filter { $0.timestampMilliseconds >= since },
                summaries: (window?.summaries ?? []).filter { $0.minuteStartMilliseconds + 60_000 > since }))
        case let .environment(name):
            guard let record = raft.view.environments.first(where: { $0.name == name }) else {
                return .error(404, "not_found", "environment '\(name)' does not exist")
            }
            let summary = EnvironmentSummary(nodes: snapshots.filter { $0.record?.environment == name })
            return .json(200, FleetReplies.json(record, nodes: NodeJSON.summary(summary)))
        }
    }

    private static func unknown(_ id: String) -> APIReply {
        .error(404, "not_found", "node '\(id)' is not known to the leader")
    }
}
