/// `GET /api/v1/nodes` as the CLI reads it: every node the leader knows,
/// with its status and newest figures (`hotswap nodes`, and `hotswap dev`'s
/// live view).
public struct NodeListing: Decodable {
    public struct Node: Decodable {
        public struct LastReport: Decodable {
            public let ageMilliseconds: UInt64
            public let hostCPUPercent: Double
            public let memoryUsedBytes: UInt64
            public let memoryTotalBytes: UInt64
            public let roundTripMicroseconds: UInt64?
        }

        public let id: String
        public let status: String
        public let environment: String?
        public let lastReport: LastReport?
    }

    public let leader: String
    public let term: UInt64
    public let nodes: [Node]

    /// The node table, header first. With `reattaching` (`hotswap dev`, whose
    /// agents have all reported once) a `live` node without a report is
    /// `re-attaching` (to a new leader) rather than `live` and `never`.
    public static func table(_ nodes: [Node], reattaching: Bool = false) -> [String] {
        var widths = widths
        widths[1] = max(widths[1], (nodes.map { status($0, reattaching: reattaching).count }.max() ?? 0) + 2)
        var lines = [TextTable.row(["NODE", "STATUS", "ENVIRONMENT", "CPU %", "MEMORY", "RTT", "LAST REPORT"],
                                   widths: widths)]
        for node in nodes {
            lines.append(TextTable.row(cells(node, reattaching: reattaching), widths: widths))
        }
        return lines
    }

    /// The node's status as the table shows it.
    static func status(_ node: Node, reattaching: Bool) -> String {
        reattaching && node.status == "live" && node.lastReport == nil ? "re-attaching" : node.status
    }

    private static func cells(_ node: Node, reattaching: Bool) -> [String] {
        let status = status(node, reattaching: reattaching)
        guard let report = node.lastReport else {
            return [node.id, status, node.environment ?? "-", "-", "-", "-", status == node.status ? "never" : "-"]
        }
        let cpu = (report.hostCPUPercent * 10).rounded() / 10
        let memory = "\(TextTable.mebibytes(report.memoryUsedBytes))/\(TextTable.mebibytes(report.memoryTotalBytes)) MiB"
        let roundTrip = report.roundTripMicroseconds.map { "\($0) µs" } ?? "-"
        return [node.id, status, node.environment ?? "-", "\(cpu)", memory, roundTrip, "\(report.ageMilliseconds) ms ago"]
    }

    private static let widths = [16, 9, 13, 7, 20, 10, 14]
}

/// Fixed-width columns for the CLI's tables; a cell is mostly a server's text, printed as
/// `TerminalText` makes it safe.
public enum TextTable {
    public static func row(_ cells: [String], widths: [Int]) -> String {
        zip(cells.map { TerminalText.printable($0) }, widths).map { cell, width in
            cell.count >= width ? cell + " " : cell + String(repeating: " ", count: width - cell.count)
        }.joined()
    }

    public static func mebibytes(_ bytes: UInt64) -> UInt64 { bytes / (1 << 20) }
}
