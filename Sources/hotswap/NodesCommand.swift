import LocalFleet

/// `hotswap nodes`: every node the leader knows, with its status and newest
/// figures, as a table for people or JSON for scripts.
enum NodesCommand {
    static let usage = """
        usage: hotswap nodes [--output table|json] [--addr https://HOST:PORT] [--ca CA.pem]
        """

    static func run(_ arguments: ArraySlice<String>) throws -> Int32 {
        let client = try APIClientOptions(try CommandLineOptions(arguments, accepting: APIClientOptions.keys))
        return try client.read("/api/v1/nodes", as: NodeListing.self) { listing in
            print("leader \(listing.leader), term \(listing.term), \(listing.nodes.count) nodes")
            for line in NodeListing.table(listing.nodes) { print(line) }
        }
    }
}
