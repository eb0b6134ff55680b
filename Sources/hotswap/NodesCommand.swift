import FoundationEssentials

/// `hotswap nodes`: every node the leader knows, with its status and newest
/// figures, as a table for people or JSON for scripts.
enum NodesCommand {
    static let usage = """
        usage: hotswap nodes [--output table|json] [--addr https://HOST:PORT] [--ca CA.pem]
        """

    struct Listing: Decodable {
        struct Node: Decodable {
            struct LastReport: Decodable {
                let ageMilliseconds: UInt64
                let hostCPUPercent: Double
                let memoryUsedBytes: UInt64
                let memoryTotalBytes: UInt64
                let roundTripMicroseconds: UInt64?
            }

            let id: String
            let status: String
            let environment: String?
            let lastReport: LastReport?
        }

        let leader: String
        let term: UInt64
        let nodes: [Node]
    }

    static func run(_ arguments: ArraySlice<String>) throws -> Int32 {
        let client = try APIClientOptions(try CommandLineOptions(arguments, accepting: APIClientOptions.keys))
        return try client.read("/api/v1/nodes", as: Listing.self) { listing in
            print("leader \(listing.leader), term \(listing.term), \(listing.nodes.count) nodes")
            for line in table(listing.nodes) { print(line) }
        }
    }

    /// The node table, header first; shared with `hotswap dev`'s live view.
    static func table(_ nodes: [Listing.Node]) -> [String] {
        var lines = [TextTable.row(["NODE", "STATUS", "ENVIRONMENT", "CPU %", "MEMORY", "RTT", "LAST REPORT"],
                                   widths: widths)]
        for node in nodes {
            lines.append(TextTable.row(cells(node), widths: widths))
        }
        return lines
    }

    private static func cells(_ node: Listing.Node) -> [String] {
        guard let report = node.lastReport else { return [node.id, node.status, node.environment ?? "-", "-", "-", "-", "never"] }
        let cpu = (report.hostCPUPercent * 10).rounded() / 10
        let memory = "\(TextTable.mebibytes(report.memoryUsedBytes))/\(TextTable.mebibytes(report.memoryTotalBytes)) MiB"
        let roundTrip = report.roundTripMicroseconds.map { "\($0) µs" } ?? "-"
        return [node.id, node.status, node.environment ?? "-", "\(cpu)", memory, roundTrip, "\(report.ageMilliseconds) ms ago"]
    }

    private static let widths = [16, 9, 13, 7, 20, 10, 14]
}

/// Fixed-width columns for the CLI's tables.
enum TextTable {
    static func row(_ cells: [String], widths: [Int]) -> String {
        zip(cells, widths).map { cell, width in
            cell.count >= width ? cell + " " : cell + String(repeating: " ", count: width - cell.count)
        }.joined()
    }

    static func mebibytes(_ bytes: UInt64) -> UInt64 { bytes / (1 << 20) }
}
