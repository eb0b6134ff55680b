import CommandLineSupport

/// The table `hotswap dev` keeps showing once the fleet is ready: its
/// processes (a dead one marked with how it ended and when it restarts) and
/// the leader's node table. On a terminal it redraws in place (ANSI: cursor
/// up over the previous frame, clear to the end of the screen) at every
/// refresh, and an event line is printed above it. On a pipe or file it
/// prints a plain block only when something a reader cares about changed —
/// the leader, the term, a process's state, the set of nodes or a node's
/// status — or after `pipeHeartbeat`, so a log of it stays short and greppable.
final class DevLiveView {
    static let pipeHeartbeat: Duration = .seconds(30)

    /// A member's row: running (with its pid) or dead.
    struct Member: Equatable {
        enum State: Equatable {
            case running(pid: Int32)
            /// How it ended, the local time it did, and what happens next (`DevEvent.restartPlan`).
            case dead(how: String, at: String, next: String)
        }

        let name: String
        let role: DevMember.Role
        let state: State
    }

    /// One refresh's content.
    struct Frame: Equatable {
        /// What decides, on a pipe, whether the frame is worth printing.
        let signature: String
        let lines: [String]

        /// The process table, then the node table (or why there is none).
        static func fleet(members: [Member], nodes: Result<NodeListing, DevFailure>) -> Frame {
            var leader: String?
            var header: String
            var nodeLines: [String] = []
            var nodeSignature: [String] = []
            switch nodes {
            case let .success(listing):
                leader = listing.leader
                header = "leader \(listing.leader), term \(listing.term), \(listing.nodes.count) node\(listing.nodes.count == 1 ? "" : "s")"
                nodeLines = NodeListing.table(listing.nodes, reattaching: true)
                nodeSignature = listing.nodes.map { "\($0.id)=\(NodeListing.status($0, reattaching: true))" }
            case let .failure(failure):
                header = "nodes unavailable: \(failure)"
                nodeSignature = ["unavailable"]
            }
            let processes = processLines(members, leader: leader)
            let memberSignature = members.map { member -> String in
                if case .running = member.state { return "\(member.name)=up" }
                return "\(member.name)=dead"
            }
            return Frame(signature: ([leader ?? "-"] + memberSignature + nodeSignature).joined(separator: " "),
                         lines: [header] + processes + nodeLines)
        }

        /// Every coordinator, every dead agent, and how many agents run.
        private static func processLines(_ members: [Member], leader: String?) -> [String] {
            let widths = [16, 9]
            func row(_ name: String, _ pid: String, _ state: String) -> String {
                TextTable.row([name, pid], widths: widths) + state
            }
            var lines = [row("PROCESS", "PID", "STATE")]
            for member in members {
                switch member.state {
                case let .running(pid) where member.role == .coordinator:
                    lines.append(row(member.name, "\(pid)", member.name == leader ? "running, leader" : "running"))
                case .running:
                    continue
                case let .dead(how, at, next):
                    lines.append(row(member.name, "-", "dead since \(at): \(how); \(next)"))
                }
            }
            let agents = members.filter { $0.role == .agent }
            if !agents.isEmpty {
                let running = agents.filter { if case .running = $0.state { true } else { false } }.count
                lines.append(row("agents", "-", "\(running) of \(agents.count) running"))
            }
            return lines
        }
    }

    /// Nil on a pipe or file.
    private let terminal: TerminalFrame?
    private let footer: String
    private var lastSignature: String?
    private var lastPrinted: ContinuousClock.Instant?

    /// `restartKey`: the terminal's `r` restarts dead members (said in the footer).
    init(isTerminal: Bool, restartKey: Bool) {
        terminal = isTerminal ? TerminalFrame() : nil
        footer = "(refreshing every \(DevSession.refreshInterval.text); "
            + (restartKey ? "r restarts dead processes now; " : "") + "Ctrl-C stops the fleet)"
    }

    func show(_ frame: Frame) {
        if let terminal {
            terminal.draw(frame.lines + [footer])
            return
        }
        let now = ContinuousClock.now
        let heartbeatDue = lastPrinted.map { now - $0 >= Self.pipeHeartbeat } ?? true
        guard frame.signature != lastSignature || heartbeatDue else { return }
        lastSignature = frame.signature
        lastPrinted = now
        StandardOutput.write(frame.lines.joined(separator: "\n") + "\n")
    }

    /// Prints `line` for good: on a terminal above the table, which is drawn again below it.
    func event(_ line: String) {
        guard let terminal else {
            StandardOutput.line(line)
            return
        }
        terminal.printAbove([line])
    }

    /// Forgets the frame on screen, so what is printed next is not erased.
    func release() {
        terminal?.release()
    }
}
