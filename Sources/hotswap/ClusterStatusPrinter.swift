import FoundationEssentials

/// `hotswap cluster status`: the members, leader, term, indexes and lease,
/// as a table for people or JSON for scripts. It shows the asked member's own
/// view (a serializable read, like `etcdctl endpoint status`), so it answers
/// even on a member that cannot reach a leader.
enum ClusterStatusPrinter {
    /// `GET /api/v1/cluster` as the CLI reads it (shared with `hotswap dev`).
    struct View: Decodable {
        struct Member: Decodable {
            let name: String
            let role: String
            let peerAddress: String
            let apiAddress: String
            let isLeader: Bool
        }

        let name: String
        let role: String
        let leader: String?
        let term: UInt64
        let commitIndex: UInt64
        let appliedIndex: UInt64
        let leaseRemainingMilliseconds: Int64
        let members: [Member]
    }

    static func run(_ client: APIClientOptions) throws -> Int32 {
        try client.read("/api/v1/cluster?consistency=serializable", as: View.self, render: printTable)
    }

    private static func printTable(_ view: View) {
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
