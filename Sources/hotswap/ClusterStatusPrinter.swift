import LocalFleet

/// `hotswap cluster status`: the members, leader, term, indexes and lease,
/// as a table for people or JSON for scripts. It shows the asked member's own
/// view (a serializable read, like `etcdctl endpoint status`), so it answers
/// even on a member that cannot reach a leader.
enum ClusterStatusPrinter {
    static func run(_ client: APIClientOptions) throws -> Int32 {
        try client.read("/api/v1/cluster?consistency=serializable", as: ClusterStatusView.self, render: printTable)
    }

    private static func printTable(_ view: ClusterStatusView) {
        print("asked \(view.name) (\(view.role)); leader: \(view.leader ?? "none"), term \(view.term), "
              + "commit \(view.commitIndex), applied \(view.appliedIndex)"
              + (view.role == "leader" ? ", lease \(view.leaseRemainingMilliseconds) ms" : ""))
        let widths = [12, 10, 8, 24, 24]
        print(TextTable.row(["NAME", "ROLE", "LEADER", "PEER ADDRESS", "API ADDRESS"], widths: widths))
        for member in view.members.sorted(by: { $0.name < $1.name }) {
            print(TextTable.row([member.name, member.role, member.isLeader ? "*" : "", member.peerAddress, member.apiAddress],
                                widths: widths))
        }
    }
}
