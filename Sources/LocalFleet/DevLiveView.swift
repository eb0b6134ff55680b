import CommandLineSupport

/// The node table `hotswap dev` keeps showing once the fleet is ready. On a
/// terminal it redraws in place (ANSI: cursor up over the previous frame,
/// clear to the end of the screen) at every refresh. On a pipe or file it
/// prints a plain block only when something a reader cares about changed —
/// the leader, the term, the set of nodes or a node's status — or after
/// `pipeHeartbeat`, so a log of it stays short and greppable.
final class DevLiveView {
    static let pipeHeartbeat: Duration = .seconds(30)

    /// One refresh's content.
    struct Frame: Equatable {
        /// What decides, on a pipe, whether the frame is worth printing.
        let signature: String
        let lines: [String]

        static func listing(_ listing: NodeListing) -> Frame {
            let header = "leader \(listing.leader), term \(listing.term), \(listing.nodes.count) node\(listing.nodes.count == 1 ? "" : "s")"
            let statuses = listing.nodes.map { "\($0.id)=\($0.status)\($0.lastReport == nil ? "?" : "")" }
            return Frame(signature: ([header] + statuses).joined(separator: " "),
                         lines: [header] + NodeListing.table(listing.nodes))
        }

        static func unavailable(_ reason: DevFailure) -> Frame {
            Frame(signature: "unavailable", lines: ["nodes unavailable: \(reason)"])
        }
    }

    private let isTerminal: Bool
    private var drawnLineCount = 0
    private var lastSignature: String?
    private var lastPrinted: ContinuousClock.Instant?

    init(isTerminal: Bool) {
        self.isTerminal = isTerminal
    }

    func show(_ frame: Frame) {
        if isTerminal {
            let lines = frame.lines + ["(refreshing every \(DevSession.refreshInterval.text); Ctrl-C stops the fleet)"]
            // Auto-wrap off while drawing: a line wider than the terminal is
            // cut at its edge instead of taking two rows the next redraw would not erase.
            let erase = drawnLineCount > 0 ? "\u{1B}[\(drawnLineCount)A\r\u{1B}[J" : ""
            StandardOutput.write(erase + "\u{1B}[?7l" + lines.joined(separator: "\n") + "\n\u{1B}[?7h")
            drawnLineCount = lines.count
            return
        }
        let now = ContinuousClock.now
        let heartbeatDue = lastPrinted.map { now - $0 >= Self.pipeHeartbeat } ?? true
        guard frame.signature != lastSignature || heartbeatDue else { return }
        lastSignature = frame.signature
        lastPrinted = now
        StandardOutput.write(frame.lines.joined(separator: "\n") + "\n")
    }

    /// Forgets the frame on screen, so what is printed next is not erased.
    func release() { drawnLineCount = 0 }
}
