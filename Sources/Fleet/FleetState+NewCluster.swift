/// A saved snapshot restored as a new cluster (`hotswap snapshot restore`).
extension FleetState {
    /// This state without what describes the coordinators of the cluster it was saved from: the
    /// members added after its founding and every coordinator's published API and agent addresses.
    /// The new cluster's members are its `--initial-cluster`; each publishes its own addresses once
    /// a leader takes writes. Everything else (environments, nodes, users, keys, modules,
    /// deployments, the audit trail, the cluster version, the applied index) is kept.
    public func forNewCluster() -> FleetState {
        var state = self
        state.members = [:]
        state.advertised = [:]
        return state
    }

    /// How many records of each kind the state holds, for `hotswap snapshot status`.
    public var recordCounts: [(kind: String, count: Int)] {
        [("environments", environments.count), ("nodes", nodes.count), ("users", users.count),
         ("modules", modules.values.reduce(0) { $0 + $1.count }), ("deployments", deployments.count),
         ("members", members.count), ("auditRecords", audit.count)]
    }
}
