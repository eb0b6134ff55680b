import CLinux
import Glibc
import LocalFleet

/// `--watch` on a terminal (Docs/DEPLOYMENTS.md, "API and CLI"): the deployment's summary, its
/// waves (at most `wavesShownMaximum`, around the one in focus) and the focused wave's nodes with
/// each metric against its threshold (`WaveNodesTable`), redrawn in place every read, with each
/// change's plain line printed for good above it. The focused wave is the active one, else the
/// last that started, so a rolled-back deployment ends on the wave whose gate failed.
final class DeploymentLiveView {
    static let wavesShownMaximum = 8
    /// Nodes asked for when the terminal does not say its height.
    static let nodesShownDefault = 20
    static let footer = "(refreshing every second; Ctrl-C stops watching, not the deployment)"

    private let terminal = TerminalFrame()
    /// The rows a node table may take: what the terminal's height leaves, 3 to 50.
    let nodesShown: Int

    /// A live view is drawn on a terminal unless `--no-live`, `-o json` or TERM=dumb (or unset) says not.
    static func isWanted(noLive: Bool, json: Bool) -> Bool {
        guard !noLive, !json, isatty(1) == 1, let term = getenv("TERM") else { return false }
        return String(cString: term) != "dumb"
    }

    init() {
        let rows = Int(hs_terminal_rows(1))
        nodesShown = rows == 0 ? Self.nodesShownDefault : max(3, min(50, rows - Self.wavesShownMaximum - 8))
    }

    /// The wave the view shows the nodes of.
    static func focus(_ document: DeploymentDocument) -> Int? {
        document.activeWave ?? document.waves?.last { $0.state != "pending" }?.index
    }

    /// Prints `changes` above the view, then draws the view of `document` and its focused wave's
    /// nodes (nil when it has none; a failure's message when the read failed).
    func show(_ document: DeploymentDocument, nodes: Result<WaveNodesDocument, APIFailure>?, changes: [String]) {
        for line in changes { terminal.printAbove(TerminalText.printable(line, maximumBytes: 4_096)) }
        var lines = [document.summaryLine]
        let waves = document.waves ?? []
        let focus = Self.focus(document) ?? 0
        let first = max(0, min(focus - Self.wavesShownMaximum / 2, waves.count - Self.wavesShownMaximum))
        let shown = waves.dropFirst(first).prefix(Self.wavesShownMaximum)
        if first > 0 { lines.append("(\(first) earlier wave\(first == 1 ? "" : "s"))") }
        for wave in shown {
            lines.append((wave.index == focus ? "> " : "  ") + DeploymentDocument.waveLine(wave)
                + (wave.latestDecision.map { "; last: \(DeploymentDocument.decisionLine($0))" } ?? ""))
        }
        let later = waves.count - first - shown.count
        if later > 0 { lines.append("(\(later) later wave\(later == 1 ? "" : "s"))") }
        switch nodes {
        case let .success(table): lines += WaveNodesTable.lines(table)
        case let .failure(failure): lines.append("nodes unavailable: \(failure.message)")
        case nil: break
        }
        terminal.draw(lines.map { TerminalText.printable($0, maximumBytes: 4_096) } + [Self.footer])
    }

    /// Leaves the last view on screen for good.
    func finish() {
        terminal.release()
    }

    /// Reads the focused wave's nodes with `client`: nil when the deployment has no wave in focus.
    func nodes(of document: DeploymentDocument, client: APIClientOptions) throws -> Result<WaveNodesDocument, APIFailure>? {
        guard let wave = Self.focus(document) else { return nil }
        do {
            let response = try client.send("GET", "/api/v1/deployments/\(document.id)/waves/\(wave)/nodes?limit=\(nodesShown)")
            guard response.head.status == 200 else { return .failure(APIFailure(answer: response)) }
            return .success(try APIClientOptions.decode(WaveNodesDocument.self, from: response.body))
        } catch let failure as APIFailure {
            return .failure(failure)
        }
    }
}
