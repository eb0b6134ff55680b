import LocalFleet

/// `hotswap nodes`: every node the leader knows, with its status and newest
/// figures, as a table for people or JSON for scripts.
enum NodesCommand {
    static let command = Command("nodes", summary: "list the nodes and their latest figures",
                                 about: "Lists every node the leader knows, with its status and newest figures.",
                                 flags: APIClientOptions.flags) { options in
        try run(APIClientOptions(options))
    }

    static func run(_ client: APIClientOptions) throws -> Int32 {
        try client.read("/api/v1/nodes", as: NodeListing.self) { listing in
            print("leader \(listing.leader), term \(listing.term), \(listing.nodes.count) nodes")
            for line in NodeListing.table(listing.nodes) { print(line) }
        }
    }
}
