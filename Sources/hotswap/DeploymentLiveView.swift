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
    /// The lines around the node rows: summary, earlier and later waves, the wave's line, the
    /// table's header, the count of nodes not shown, a notice and the footer.
    static let linesBesideNodes = wavesShownMaximum + 8
    /// The nodes' read is for display only: a slow one must not freeze the view.
    static let nodesReadLimit: Duration = .seconds(5)
    static let footer = "(refreshing every second; Ctrl-C stops watching, not the deployment)"

    private let terminal = TerminalFrame()
    private let id: String
    private var lastLines: [String] = []

    /// A live view is drawn on a terminal unless `--no-live`, `-o json` or TERM=dumb (or unset) says not.
    static func isWanted(noLive: Bool, json: Bool) -> Bool {
        guard !noLive, !json, isatty(1) == 1, let term = getenv("TERM") else { return false }
        return String(cString: term) != "dumb"
    }

    /// `id`: the deployment watched, as the command line named it.
    init(id: String) {
        self.id = id
    }

    /// The nodes a read asks for: what the terminal's height leaves, 3 to 50.
    static func nodesShown(rows: Int) -> Int {
        rows == 0 ? nodesShownDefault : max(3, min(50, rows - linesBesideNodes))
    }

    /// The wave the view shows the nodes of: the active wave when the deployment has it, else the
    /// last that started; nil when none has.
    static func focus(_ document: DeploymentDocument) -> Int? {
        let waves = document.waves ?? []
        if let active = document.activeWave, waves.indices.contains(active) { return active }
        return waves.lastIndex { $0.state != "pending" }
    }

    /// Reads the focused wave's nodes with `client` (as many as the terminal's height leaves,
    /// read once for the whole refresh), prints `changes` above the view, and draws it.
    func refresh(_ document: DeploymentDocument, client: APIClientOptions, changes: [String]) throws {
        let rows = TerminalFrame.rows()
        show(document, nodes: try nodes(of: document, limit: Self.nodesShown(rows: rows), client: client), changes: changes, rows: rows)
    }

    /// Prints `changes` above the view, then draws the view of `document` and its focused wave's
    /// nodes (nil when it has none; a failure's message when the read failed) on `rows` rows.
    private func show(_ document: DeploymentDocument, nodes: Result<WaveNodesDocument, APIFailure>?, changes: [String], rows: Int) {
        terminal.printAbove(changes.map { TerminalText.printable($0, maximumBytes: 4_096) })
        var lines = [document.summaryLine]
        let waves = document.waves ?? []
        let focus = Self.focus(document)
        let first = max(0, min((focus ?? 0) - Self.wavesShownMaximum / 2, waves.count - Self.wavesShownMaximum))
        let shown = waves.dropFirst(first).prefix(Self.wavesShownMaximum)
        if first > 0 { lines.append("(\(first) earlier wave\(first == 1 ? "" : "s"))") }
        for (position, wave) in zip(shown.indices, shown) {
            lines.append((position == focus ? "> " : "  ") + DeploymentDocument.waveLine(wave)
                + (wave.latestDecision.map { "; last: \(DeploymentDocument.decisionLine($0))" } ?? ""))
        }
        let later = waves.count - first - shown.count
        if later > 0 { lines.append("(\(later) later wave\(later == 1 ? "" : "s"))") }
        switch nodes {
        case let .success(table): lines += WaveNodesTable.lines(table, maximumNodes: Self.nodesShown(rows: rows))
        case let .failure(failure): lines.append("nodes unavailable: \(failure.message)")
        case nil: break
        }
        lastLines = lines.map { TerminalText.printable($0, maximumBytes: 4_096) }
        terminal.draw(lastLines + [Self.footer], rows: rows)
    }

    /// Draws the last view again with `notice` (why it is not being refreshed) above the footer.
    func stale(_ notice: String) {
        guard !lastLines.isEmpty else { return }
        terminal.draw(lastLines + [TerminalText.printable(notice, maximumBytes: 4_096), Self.footer])
    }

    /// Leaves the last view on screen for good.
    func finish() {
        terminal.release()
    }

    /// Reads up to `limit` of the focused wave's nodes with `client`, within `nodesReadLimit`: nil
    /// when the deployment has no wave in focus.
    private func nodes(of document: DeploymentDocument, limit: Int,
                       client: APIClientOptions) throws -> Result<WaveNodesDocument, APIFailure>? {
        guard let wave = Self.focus(document) else { return nil }
        do {
            let response = try client.send("GET", "/api/v1/deployments/\(id)/waves/\(wave)/nodes?limit=\(limit)",
                                           within: Self.nodesReadLimit)
            guard response.head.status == 200 else { return .failure(APIFailure(answer: response)) }
            return .success(try APIClientOptions.decode(WaveNodesDocument.self, from: response.body))
        } catch let failure as APIFailure {
            return .failure(failure)
        }
    }
}
