import FoundationEssentials
import Transport
import Wire

/// `hotswap cluster`: show the coordinator cluster, move its leadership, add
/// and remove members — each one API call to any coordinator (followers
/// forward operations to the leader).
enum ClusterCommand {
    static let usage = """
        usage: hotswap cluster status [--output table|json]
               hotswap cluster transfer-leader --to NAME
               hotswap cluster member add NAME --peer-addr HOST:PORT
               hotswap cluster member remove NAME
               (every form takes [--addr https://HOST:PORT] [--ca CA.pem] [--timeout 10s];
                defaults: HOTSWAP_ADDR, HOTSWAP_CA)
        """

    static func run(_ arguments: ArraySlice<String>) throws -> Int32 {
        switch arguments.first {
        case "status":
            let options = try CommandLineOptions(arguments.dropFirst(), accepting: APIClientOptions.keys)
            return try ClusterStatusPrinter.run(try APIClientOptions(options))
        case "transfer-leader":
            let options = try CommandLineOptions(arguments.dropFirst(), accepting: APIClientOptions.keys.union(["to"]))
            let target = try options.required("to")
            let body = "{\"to\":\(JSONText.quoted(target))}"
            return try call(options, "POST", "/api/v1/cluster/transfer-leader", body: body) { answer in
                // An answer this CLI cannot read still means the move succeeded: name the target, term unknown.
                switch Result(catching: { try JSONDecoder().decode(TransferAnswer.self, from: Data(answer)) }) {
                case let .success(moved): return "leadership moved to \(moved.leader) (term \(moved.term))"
                case .failure: return "leadership moved to \(target) (term ?)"
                }
            }
        case "member":
            return try runMember(arguments.dropFirst())
        default:
            throw UsageError("cluster needs 'status', 'transfer-leader' or 'member'")
        }
    }

    private static func runMember(_ arguments: ArraySlice<String>) throws -> Int32 {
        let action = arguments.first
        let options = try CommandLineOptions(arguments.dropFirst(), accepting: APIClientOptions.keys.union(["peer-addr"]))
        guard options.positionals.count == 1, let name = options.positionals.first else {
            throw UsageError("cluster member \(action ?? "") needs exactly one member NAME")
        }
        switch action {
        case "add":
            let peerAddress = try options.required("peer-addr")
            let body = "{\"name\":\(JSONText.quoted(name)),\"peerAddress\":\(JSONText.quoted(peerAddress))}"
            return try call(options, "POST", "/api/v1/cluster/members", body: body) { _ in
                """
                added \(name) (\(peerAddress)) as a learner. Start it with
                  hotswap coordinator --name \(name) --peer-addr \(peerAddress) --initial-cluster-state existing \\
                    --initial-cluster <the founding members>,\(name)=\(peerAddress) ...
                It becomes a voter by itself once it has caught up with the leader's log.
                """
            }
        case "remove":
            return try call(options, "DELETE", "/api/v1/cluster/members/\(name)", body: nil) { _ in
                "removed \(name); stop its process and delete its data directory"
            }
        default:
            throw UsageError("cluster member needs 'add' or 'remove'")
        }
    }

    private struct TransferAnswer: Decodable {
        let leader: String
        let term: UInt64
    }

    /// Sends one operation; prints `describe(answer body)` on success, or the
    /// server's error and exit status 1.
    private static func call(_ options: CommandLineOptions, _ method: String, _ target: String, body: String?,
                             describe: ([UInt8]) -> String) throws -> Int32 {
        let client = try APIClientOptions(options)
        let response = try client.send(method, target, body: Array((body ?? "").utf8))
        let text = String(decoding: response.body, as: UTF8.self)
        guard (200...299).contains(response.head.status) else {
            printError("hotswap: the coordinator answered \(response.head.status): \(text)")
            return 1
        }
        if client.wantsJSON {
            print(text)
        } else {
            print(describe(response.body))
        }
        return 0
    }
}
