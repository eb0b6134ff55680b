import Cluster
import Gateway
import Primitives
import Transport
import Wire

extension AgentGateway {
    /// Answers a node read from this leader's gateway; 503 when this node
    /// does not act as leader (the caller forwards or retries).
    func answer(_ query: GatewayQuery) -> APIReply {
        let now = MonotonicInstant.now()
        let leadership = self.leadership
        guard leadership.isActing(at: now) else { return .noLeader("this coordinator does not act as leader") }
        let wallClock = WallClock.nowMilliseconds()
        switch query {
        case .nodes:
            let all = snapshots(now: now, wallClockMilliseconds: wallClock)
            return .json(200, NodeJSON.list(all, leader: leadership.name, term: leadership.term))
        case let .node(id):
            guard let snapshot = snapshots(now: now, wallClockMilliseconds: wallClock, only: id).first else { return Self.unknown(id) }
            return .json(200, NodeJSON.node(snapshot))
        case let .metrics(id, since):
            guard !snapshots(now: now, wallClockMilliseconds: wallClock, only: id).isEmpty else { return Self.unknown(id) }
            let window = window(of: id)
            return .json(200, NodeJSON.metrics(
                id: id, samples: (window?.samples ?? []).filter { $0.timestampMilliseconds >= since },
                summaries: (window?.summaries ?? []).filter { $0.minuteStartMilliseconds + 60_000 > since }))
        case let .environment(name):
            guard let record = raft.view.environments.first(where: { $0.name == name }) else {
                return .error(404, "not_found", "environment '\(name)' does not exist")
            }
            let members = snapshots(now: now, wallClockMilliseconds: wallClock).filter { $0.record?.environment == name }
            let summary = EnvironmentSummary(nodes: members)
            return .json(200, FleetReplies.json(record, nodes: NodeJSON.summary(summary)))
        }
    }

    private static func unknown(_ id: String) -> APIReply {
        .error(404, "not_found", "node '\(id)' is not known to the leader")
    }
}
