import Certificates
import FoundationEssentials
import LocalFleet
import Primitives
import Transport
import Wire

/// `hotswap cluster`: show the coordinator cluster, move its leadership, add
/// and remove members — each one API call to any coordinator (followers
/// forward operations to the leader).
enum ClusterCommand {
    static let targetFlag = Flag("to", .text("NAME"), .required, help: "the voting member to hand leadership to")
    static let peerAddressFlag = Flag("peer-addr", .text("HOST:PORT"), .required, help: "where the other members dial the new one")

    static let command = Command("cluster", summary: "show the coordinator cluster, move its leadership, add and remove members",
                                 subcommands: [status, transferLeader, member])

    static let status = Command(
        "status", summary: "show each member's health, lag and last contact, the leader, term, indexes and lease",
        flags: APIClientOptions.flags) { options in
        try ClusterStatusPrinter.run(try APIClientOptions(options))
    }

    static let transferLeader = Command(
        "transfer-leader", summary: "hand the leadership to another voting member",
        flags: [targetFlag] + APIClientOptions.flags) { options in
        let target = try options.required(targetFlag)
        let body = "{\"to\":\(JSONText.quoted(target))}"
        return try call(APIClientOptions(options), "POST", "/api/v1/cluster/transfer-leader", body: body) { answer in
            // An answer this CLI cannot read still means the move succeeded: name the target, term unknown.
            switch Result(catching: { try JSONDecoder().decode(TransferAnswer.self, from: Data(answer)) }) {
            case let .success(moved): return "leadership moved to \(TerminalText.printable(moved.leader)) (term \(moved.term))"
            case .failure: return "leadership moved to \(target) (term ?)"
            }
        }
    }

    static let member = Command("member", summary: "add or remove a member", subcommands: [add, remove])

    static let add = Command(
        "add", summary: "add NAME as a learner; it becomes a voter once it has caught up", arguments: ["NAME"],
        flags: [peerAddressFlag] + APIClientOptions.flags) { options in
        let name = options.positionals[0]
        let peerAddress = try options.required(peerAddressFlag)
        let body = "{\"name\":\(JSONText.quoted(name)),\"peerAddress\":\(JSONText.quoted(peerAddress))}"
        // --peer-addr of `coordinator` is bound, so numeric: a name is dialled, not listened on.
        let target: HostPort?
        do {
            target = try HostPort(parsing: peerAddress, flag: "--peer-addr")
        } catch {
            target = nil  // the coordinator refuses it with the reason
        }
        let named = target?.isName == true
        let listen = named ? "<its IP>:\(target?.port ?? 0)" : peerAddress
        let listenNote = named ? "(there --peer-addr is where it listens: its IP, or :PORT for all, never the name.)\n" : ""
        return try call(APIClientOptions(options), "POST", "/api/v1/cluster/members", body: body) { _ in
            """
            added \(name) (\(peerAddress)) as a learner. Start it with
              hotswap coordinator --name \(name) --peer-addr \(listen) --initial-cluster-state existing \\
                --initial-cluster <the founding members>,\(name)=\(peerAddress) ...
            \(listenNote)It becomes a voter by itself once it has caught up with the leader's log.
            """
        }
    }

    static let remove = Command(
        "remove", summary: "remove member NAME from the cluster", arguments: ["NAME"], flags: APIClientOptions.flags) { options in
        let name = options.positionals[0]
        guard NodeIdentity.isValidName(name) else {
            throw UsageError("NAME '\(name)' is not a member name: [A-Za-z0-9][A-Za-z0-9._-]{0,62}, as in its certificate")
        }
        return try call(APIClientOptions(options), "DELETE", "/api/v1/cluster/members/\(name)", body: nil) { _ in
            "removed \(name); stop its process and delete its data directory"
        }
    }

    private struct TransferAnswer: Decodable {
        let leader: String
        let term: UInt64
    }

    /// Sends one operation; prints `describe(answer body)` on success, or throws the
    /// server's error as one line (exit status 1). A DELETE answered 404 after an earlier attempt
    /// may have carried it out (a 503 "may have applied", a connection lost after sending)
    /// succeeded: it says so, with `{"alreadyDone":true}` for `--output json`.
    static func call(_ client: APIClientOptions, _ method: String, _ target: String, body: String?,
                     describe: ([UInt8]) -> String) throws -> Int32 {
        let answer = try client.exchange(method, target, body: Array((body ?? "").utf8))
        if answer.alreadyDone {
            print(client.wantsJSON ? "{\"alreadyDone\":true}" : describe([]) + " (already done: an earlier attempt probably applied it)")
            return 0
        }
        let response = answer.response
        guard (200...299).contains(response.head.status) else { throw APIFailure(answer: response) }
        if client.wantsJSON {
            print(String(decoding: response.body, as: UTF8.self))
        } else {
            print(describe(response.body))
        }
        return 0
    }
}
