import Cluster
import Gateway
import Primitives
import Transport
import Wire

extension AgentGateway {
    /// Answers a node read from this leader's gateway with a JSON document;
    /// refused with `no_leader` when this node does not act as leader (the
    /// caller forwards or retries).
    func answer(_ query: GatewayQuery) -> ClusterOutcome {
        let now = clock.now()
        let leadership = self.leadership
        guard leadership.isActing(at: now) else { return .refused(.noLeader("this coordinator does not act as leader")) }
        let wallClock = WallClock.nowMilliseconds()
        switch query {
        case .nodes:
            let entries = listing(now: now, wallClockMilliseconds: wallClock)
            return .document(NodeJSON.list(entries, leader: leadership.name, term: leadership.term))
        case let .node(id):
            guard let snapshot = snapshots(now: now, wallClockMilliseconds: wallClock, only: id).first else {
                return .refused(.nodeNotFound(id: id))
            }
            return Self.document(NodeJSON.node(snapshot))
        case let .metrics(id, since):
            guard !snapshots(now: now, wallClockMilliseconds: wallClock, only: id).isEmpty else {
                return .refused(.nodeNotFound(id: id))
            }
            let window = window(of: id)
            return Self.document(NodeJSON.metrics(
                id: id, samples: (window?.samples ?? []).filter { $0.timestampMilliseconds >= since },
                summaries: (window?.summaries ?? []).filter { $0.minuteStartMilliseconds + 60_000 > since }))
        case let .environment(name):
            guard let record = raft.view.environments.first(where: { $0.name == name }) else {
                return .refused(.environmentNotFound(name: name))
            }
            let members = snapshots(now: now, wallClockMilliseconds: wallClock).filter { $0.record?.environment == name }
            let summary = EnvironmentSummary(nodes: members)
            return Self.document(EnvironmentJSON.record(record, nodes: NodeJSON.summary(summary)))
        case .leaderView:
            return Self.document(raft.view.json)
        }
    }

    private static func document(_ json: String) -> ClusterOutcome {
        .document(Array(json.utf8))
    }
}
