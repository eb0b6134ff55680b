import Certificates
import FoundationEssentials
import LocalFleet

/// `hotswap nodes [list]|remove|revoke|unrevoke|revocations`: the node table as the leader
/// knows it (the default), and the admin operations on nodes — each one API call to any
/// coordinator (followers forward them to the leader).
enum NodesCommand {
    static let command = Command("nodes", summary: "list, remove and revoke nodes",
                                 about: "Lists every node the leader knows, with its status and newest figures (as 'nodes list').",
                                 flags: APIClientOptions.flags, subcommands: [list, remove, revoke, unrevoke, revocations]) { options in
        try run(APIClientOptions(options))
    }

    static let list = Command("list", summary: "list the nodes and their latest figures (the default)",
                              about: "Lists every node the leader knows, with its status and newest figures.",
                              flags: APIClientOptions.flags) { options in
        try run(APIClientOptions(options))
    }

    static let remove = Command(
        "remove", summary: "forget NODE: its inventory, window and figures",
        about: """
            Removes NODE from the replicated inventory and drops the leader's window of its figures.
            Refused (409) while its agent has a session on the leader: stop the agent, or revoke it
            first. An agent that connects again later registers anew.
            """,
        arguments: ["NODE"], flags: APIClientOptions.flags) { options in
        let node = try nodeName(options)
        return try ClusterCommand.call(APIClientOptions(options), "DELETE", "/api/v1/nodes/\(node)", body: nil) { _ in "removed \(node)" }
    }

    static let revoke = Command(
        "revoke", summary: "refuse NODE's certificates issued until now and close its connections",
        about: """
            Revokes NODE (a name no node reported is accepted too): every coordinator refuses its
            certificates whose validity starts at or before the leader's time of the revocation, at
            every handshake and hello, and closes its open connections at once. To re-enroll the
            host, issue it a new certificate after the revocation (hotswap certs issue ...
            --backdate-seconds 0). Docs/CERTIFICATES.md, "Revoking a node".
            """,
        arguments: ["NODE"], flags: APIClientOptions.flags) { options in
        let node = try nodeName(options)
        return try ClusterCommand.call(APIClientOptions(options), "POST", "/api/v1/nodes/\(node)/revoke", body: nil) { answer in
            // An answer this CLI cannot read still means the revocation applied: the time is then unknown.
            let time: String
            switch Result(catching: { try JSONDecoder().decode(Revocation.self, from: Data(answer)) }) {
            case let .success(revocation): time = "\(revocation.revokedAtMilliseconds)"
            case .failure: time = "?"
            }
            return "revoked \(node) at \(time) ms (Unix time): its certificates valid from before then are refused"
        }
    }

    static let unrevoke = Command(
        "unrevoke", summary: "lift NODE's revocation: its old certificates are accepted again",
        arguments: ["NODE"], flags: APIClientOptions.flags) { options in
        let node = try nodeName(options)
        return try ClusterCommand.call(APIClientOptions(options), "DELETE", "/api/v1/nodes/revocations/\(node)", body: nil) { _ in
            "lifted the revocation of \(node)"
        }
    }

    static let revocations = Command("revocations", summary: "list the revoked node names",
                                     flags: APIClientOptions.flags) { options in
        try APIClientOptions(options).read("/api/v1/nodes/revocations", as: RevocationListing.self) { listing in
            print("\(listing.revocations.count) of at most \(listing.maximum) node names revoked")
            for revocation in listing.revocations {
                print("\(TerminalText.printable(revocation.node))  revoked at \(revocation.revokedAtMilliseconds) ms")
            }
        }
    }

    /// NODE as a certificate names it, so it is safe as one segment of the request path.
    private static func nodeName(_ options: CommandLineOptions) throws -> String {
        let node = options.positionals[0]
        guard NodeIdentity.isValidName(node) else {
            throw UsageError("NODE '\(node)' is not a node name: [A-Za-z0-9][A-Za-z0-9._-]{0,62}, as in its certificate")
        }
        return node
    }

    static func run(_ client: APIClientOptions) throws -> Int32 {
        try client.read("/api/v1/nodes", as: NodeListing.self) { listing in
            print("leader \(TerminalText.printable(listing.leader)), term \(listing.term), \(listing.nodes.count) nodes")
            for line in NodeListing.table(listing.nodes) { print(line) }
        }
    }

    /// One entry of `GET /api/v1/nodes/revocations`, and the answer to a revocation.
    private struct Revocation: Decodable {
        let node: String
        let revokedAtMilliseconds: UInt64
    }

    private struct RevocationListing: Decodable {
        let revocations: [Revocation]
        let maximum: Int
    }
}
