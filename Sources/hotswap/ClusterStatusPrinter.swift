import LocalFleet
import Transport

/// `hotswap cluster status`: the members, leader, term, indexes and lease, and each member's
/// health, lag behind the leader's log and last contact, as a table for people or JSON for
/// scripts. It asks for the leader's view (a follower forwards the question), since only the
/// leader tracks every member: every address is asked for it (each with a share of the wait, so
/// a frozen member cannot take it all). When no leader answers within `leaderWait` (or half of
/// `--timeout`, leaving the rest for what follows), it shows a member's own view (like `etcdctl
/// endpoint status`), which answers even without a leader.
enum ClusterStatusPrinter {
    /// Long enough to ride out an election; short enough that a leaderless cluster's own view
    /// comes while the operator still waits.
    static let leaderWait: Duration = .seconds(5)

    static func run(_ client: APIClientOptions) throws -> Int32 {
        let answer: HTTPClientResponse
        var note: String?
        do {
            answer = try client.send("GET", "/api/v1/cluster?view=leader", within: min(leaderWait, client.timeout / 2))
            guard answer.head.status == 200 else { throw APIFailure(answer: answer) }
        } catch let leaderFailure as APIFailure where leaderFailure.exitStatus != CommandLineProgram.accessDeniedStatus {
            // Not after a refusal of the caller (exit 3): it would refuse this question too.
            note = "no leader's view (\(leaderFailure.message)); this is the asked member's own view"
            let own = try client.send("GET", "/api/v1/cluster?consistency=serializable")
            guard own.head.status == 200 else { throw APIFailure(answer: own) }
            return try show(own, client: client, note: note)
        }
        return try show(answer, client: client, note: note)
    }

    private static func show(_ answer: HTTPClientResponse, client: APIClientOptions, note: String?) throws -> Int32 {
        if client.wantsJSON {
            print(String(decoding: answer.body, as: UTF8.self))
            return 0
        }
        if let note { print(note) }
        printTable(try APIClientOptions.decode(ClusterStatusView.self, from: answer.body))
        return 0
    }

    private static func printTable(_ view: ClusterStatusView) {
        print("seen by \(TerminalText.printable(view.name)) (\(TerminalText.printable(view.role))); "
              + "leader: \(view.leader.map { TerminalText.printable($0) } ?? "none"), term \(view.term), "
              + "last index \(view.lastIndex.map { "\($0)" } ?? "?"), commit \(view.commitIndex), applied \(view.appliedIndex)"
              + (view.role == "leader" ? ", lease \(view.leaseRemainingMilliseconds) ms" : ""))
        let widths = [12, 9, 8, 13, 8, 14, 24, 24]
        print(TextTable.row(["NAME", "ROLE", "LEADER", "HEALTH", "LAG", "LAST CONTACT", "PEER ADDRESS", "API ADDRESS"],
                            widths: widths))
        for member in view.members.sorted(by: { $0.name < $1.name }) {
            let contact = member.name == view.name ? "self" : member.lastContactMilliseconds.map { "\($0) ms ago" } ?? "never"
            print(TextTable.row([member.name, member.role, member.isLeader ? "*" : "", member.health ?? "?",
                                 member.lag.map { "\($0)" } ?? "-", contact, member.peerAddress, member.apiAddress],
                                widths: widths))
        }
    }
}
