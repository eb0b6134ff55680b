import CommandLineSupport
import Glibc

/// `hotswap dev` once its fleet is ready, until a signal: every poll it lets
/// the `DevSupervisor` notice dead members and restart those due (or all of
/// them on `r`), prints what happened as event lines, and every refresh
/// reads the node list from a running coordinator — the leader's first —
/// to follow the leader and redraw the table (not with `--no-live`, which
/// prints it once and then only the events).
struct DevWatch {
    let fleet: DevFleet
    let api: DevAPI
    let endpoints: [CoordinatorEndpoints]
    let settings: DevSettings
    let signals: DevSignals

    /// Returns when a signal asks dev to stop.
    func run(first: NodeListing) {
        let keys = DevKeys()
        defer { keys.restore() }
        let view = DevLiveView(isTerminal: isatty(1) == 1 && settings.live, restartKey: keys.isEnabled)
        defer { view.release() }
        let supervisor = DevSupervisor(fleet: fleet, restartDelay: settings.restartDelay, restartKey: keys.isEnabled)
        var leaders = LeaderWatch(leader: first.leader)
        view.show(.fleet(members: supervisor.rows(now: .now), nodes: .success(first)))
        if !settings.live { StandardOutput.line("(--no-live: the table is not refreshed; Ctrl-C stops the fleet)") }
        var nextRefresh = ContinuousClock.now.advanced(by: DevSession.refreshInterval)
        while true {
            let now = ContinuousClock.now
            let events = supervisor.step(now: now, restartNow: keys.pressed().contains(UInt8(ascii: "r")))
            for event in events { view.event(DevEvent.stamped(event)) }
            if !events.isEmpty || now >= nextRefresh {
                let nodes = readNodes(preferring: leaders.leader, running: supervisor.runningCoordinators)
                if case let .success(listing) = nodes {
                    for event in leaders.observe(listing, runningAgents: supervisor.runningAgents) {
                        view.event(DevEvent.stamped(event))
                    }
                }
                if settings.live { view.show(.fleet(members: supervisor.rows(now: .now), nodes: nodes)) }
                nextRefresh = ContinuousClock.now.advanced(by: DevSession.refreshInterval)
            }
            if signals.pause(DevStartup.pollInterval) { return }
        }
    }

    /// `GET /api/v1/nodes` from the first running coordinator that answers,
    /// `leader` first (a follower forwards the read to the leader).
    private func readNodes(preferring leader: String, running: Set<String>) -> Result<NodeListing, DevFailure> {
        let ordered = endpoints.filter { $0.name == leader } + endpoints.filter { $0.name != leader }
        var lastFailure = DevFailure("no coordinator is running")
        for endpoint in ordered where running.contains(endpoint.name) {
            switch api.nodes(at: endpoint.api) {
            case let .success(listing): return .success(listing)
            case let .failure(failure): lastFailure = failure
            }
        }
        return .failure(lastFailure)
    }
}
