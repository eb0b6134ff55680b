import Cluster

/// What the agent gateway, its sessions and the node routes need of the Raft
/// service: the published view, proposing a request, answering a node read.
/// `RaftService` in production; a test gives a scripted one, so a session can
/// run on an embedded loop without a log, a data directory or sockets.
protocol GatewayRaft: AnyObject, Sendable {
    /// What the API shows of the cluster; safe from any thread.
    var view: ClusterView { get }
    func submit(_ request: ClusterRequest, completion: @escaping @Sendable (ClusterOutcome) -> Void)
    func answerGatewayQuery(_ query: GatewayQuery, completion: @escaping @Sendable (ClusterOutcome) -> Void)
}

extension RaftService: GatewayRaft {}
