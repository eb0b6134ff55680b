import AgentSimulation
import CommandLineSupport
import Glibc
import LocalFleet
import Primitives
import Transport

/// One `hotswap bench agents` measurement: a fresh cluster and N simulated
/// agents, the steady-state window, then the leader's `kill -9` and the
/// re-attach. Owns the coordinators and the simulated fleet it starts and
/// stops them all before returning.
struct BenchAgentsRun {
    struct Figures {
        var count = 0
        var attachSeconds = 0.0
        var leaderCPUShare = 0.0
        var leaderRSSMebibytes = 0.0
        var reportsPerSecond = 0.0
        var ingestP99Seconds: Double?
        var reattach99Seconds: Double?
        var reattachAllSeconds: Double?
        /// The most nodes the new leader counted suspect and down while agents
        /// re-attached (sampled each second); nil when no sample reached a leader.
        var suspectDuringFailover: Int?
        var downDuringFailover: Int?

        static let header = "| agents | attach s | leader CPU (cores) | leader RSS MiB | reports/s | ingest p99 ≤ | "
            + "re-attach 99 % s | re-attach 100 % s | most suspect / down |\n|---|---|---|---|---|---|---|---|---|"

        var line: String {
            func format(_ value: Double?, _ digits: Int = 2) -> String {
                guard let value else { return "—" }
                var scale = 1.0
                for _ in 0..<digits { scale *= 10 }
                return "\((value * scale).rounded() / scale)"
            }
            let p99 = ingestP99Seconds.map { $0 * 1_000_000 }.map { "\(Int($0)) µs" } ?? "—"
            return "| \(count) | \(format(attachSeconds, 1)) | \(format(leaderCPUShare)) | \(format(leaderRSSMebibytes, 1)) | "
                + "\(format(reportsPerSecond, 0)) | \(p99) | \(format(reattach99Seconds)) | \(format(reattachAllSeconds)) | "
                + "\(suspectDuringFailover.map(String.init) ?? "—") / \(downDuringFailover.map(String.init) ?? "—") |"
        }
    }

    let directory: String
    let count: Int
    let settings: BenchAgentsSettings

    func measure() throws -> Figures {
        let layout = DevLayout(directory: directory, agentCount: 0)
        _ = try DevWorkspace.prepare(layout)
        let admin = try DevAdmin.prepare(layout)
        _ = try SimulatedAgentFleet.prepareCertificates(count: count, tlsDirectory: layout.tlsDirectory)
        let fleet = DevFleet()
        let signals = DevSignals()
        defer {
            _ = fleet.stopAll { false }
            signals.cancel()
        }
        let ports = try DevPorts.plan(apiPort: 0, portBase: 0, names: DevLayout.coordinatorNames)
        for (index, name) in DevLayout.coordinatorNames.enumerated() {
            _ = try fleet.startCoordinator(name, arguments: layout.coordinatorArguments(index, ports: ports),
                                           logPath: layout.logPath(name))
        }
        let api = try DevAPI(caPath: layout.caPath, admin: admin)
        defer { api.shutdown() }
        let startup = DevStartup(fleet: fleet, signals: signals, timeout: .seconds(60))
        let endpoints = try startup.coordinatorEndpoints()
        let leaderName = try startup.agreedLeader(api: api, endpoints: endpoints)
        let leaderEndpoint = endpoints.first { $0.name == leaderName }!
        let leaderTerm = try api.cluster(at: leaderEndpoint.api).get().term
        let leader = fleet.coordinators.first { $0.name == leaderName }!

        var figures = Figures(count: count)
        let started = MonotonicInstant.now()
        let agents = try BenchAgentShards(count: count, coordinators: endpoints.map(\.agent), layout: layout,
                                          rampPerSecond: settings.rampPerSecond, fleet: fleet)
        guard try firstCensus(fleet, agents, timeout: .seconds(180),
                              where: { $0.welcomed(minimumTerm: leaderTerm) >= count }) != nil else {
            throw DevFailure("only \(try agents.census()?.welcomed(minimumTerm: leaderTerm) ?? 0) of \(count) agents "
                             + "were welcomed within 180 s")
        }
        figures.attachSeconds = seconds(since: started)
        StandardOutput.line("\(count) agents welcomed by \(leaderName) in \(figures.attachSeconds) s")
        let standbysWanted = count * (endpoints.count - 1)
        _ = try firstCensus(fleet, agents, timeout: .seconds(120), where: { $0.connectedStandbys >= standbysWanted })
        StandardOutput.line("\(try agents.census()?.connectedStandbys ?? 0) of \(standbysWanted) standby connections up "
                            + "after \(seconds(since: started)) s; measuring \(settings.seconds) s")
        sleep(for: .seconds(5))

        try measureSteadyState(into: &figures, leader: leader, api: api, leaderAPI: leaderEndpoint.api)
        try measureFailover(into: &figures, killing: leader, api: api, endpoints: endpoints, fleet: fleet, agents: agents,
                            leaderTerm: leaderTerm)
        return figures
    }

    /// The steady-state window: the leader's CPU share and resident memory, and
    /// the rate and p99 bound of the reports it ingested, over `settings.seconds`.
    private func measureSteadyState(into figures: inout Figures, leader: ChildProcess, api: DevAPI, leaderAPI: String) throws {
        let probe = ProcessProbe(pid: leader.pid)
        let metricsBefore = try api.metrics(at: leaderAPI).get()
        let cpuBefore = try probe.cpuSeconds()
        let windowStart = MonotonicInstant.now()
        sleep(for: .seconds(Int64(settings.seconds)))
        let cpuAfter = try probe.cpuSeconds()
        let metricsAfter = try api.metrics(at: leaderAPI).get()
        let window = seconds(since: windowStart)
        figures.leaderCPUShare = (cpuAfter - cpuBefore) / window
        figures.leaderRSSMebibytes = Double(try probe.residentBytes()) / 1_048_576
        let name = "hotswap_agent_report_ingest_seconds"
        let before = HistogramReading(metricsText: metricsBefore, name: name)
        let after = HistogramReading(metricsText: metricsAfter, name: name)
        figures.reportsPerSecond = (after.observationCount - before.observationCount) / window
        figures.ingestP99Seconds = after.quantileBound(0.99, since: before)
    }

    /// Kills the leader and times the re-attach to a leader of a later term (99 %
    /// and every agent), sampling how many nodes the new leader counts suspect and down.
    private func measureFailover(into figures: inout Figures, killing leader: ChildProcess, api: DevAPI,
                                 endpoints: [CoordinatorEndpoints], fleet: DevFleet, agents: BenchAgentShards,
                                 leaderTerm: UInt64) throws {
        StandardOutput.line("killing the leader \(leader.name) (pid \(leader.pid))")
        leader.send(SIGKILL)
        let killed = MonotonicInstant.now()
        var watch = FailoverStatusWatch(api: api, addresses: endpoints.filter { $0.name != leader.name }.map(\.api))
        var progress: [String] = []
        let reattached = try firstCensus(fleet, agents, timeout: .seconds(60)) { census in
            watch.sampleIfDue()
            if seconds(since: killed) >= Double(progress.count + 1) {
                let phases = census.phases.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                progress.append("\(progress.count + 1) s: \(census.welcomed(minimumTerm: leaderTerm + 1)) re-attached (\(phases))")
            }
            return census.welcomed(minimumTerm: leaderTerm + 1) * 100 >= count * 99
        }
        figures.reattach99Seconds = reattached.map { seconds(from: killed, to: $0.takenAt) }
        if progress.isEmpty { progress = ["99 % re-attached within the first second"] }
        StandardOutput.line("after the kill:\n  " + progress.joined(separator: "\n  "))
        figures.reattachAllSeconds = try firstCensus(fleet, agents, timeout: .seconds(60)) {
            watch.sampleIfDue()
            return $0.welcomed(minimumTerm: leaderTerm + 1) >= count
        }.map { seconds(from: killed, to: $0.takenAt) }
        // Past the new leader's failover grace (10 s), so a node that never came back shows as suspect.
        _ = waitUntil(timeout: .seconds(max(0, 15 - Int64(seconds(since: killed))))) {
            watch.sampleIfDue()
            return false
        }
        (figures.suspectDuringFailover, figures.downDuringFailover) = (watch.maximumSuspect, watch.maximumDown)
        StandardOutput.line("new leader's \(watch.leaderAgentPortSummary)")
    }

    private func seconds(since start: MonotonicInstant) -> Double {
        seconds(from: start, to: .now())
    }

    private func seconds(from start: MonotonicInstant, to end: MonotonicInstant) -> Double {
        Double(start.duration(until: end).wholeNanoseconds) / 1e9
    }

    /// Polls the shards' census every 50 ms (they write one every 100 ms);
    /// the first that satisfies `condition`, or nil at the timeout. Throws
    /// if a shard or coordinator has ended.
    private func firstCensus(_ fleet: DevFleet, _ agents: BenchAgentShards, timeout: Duration,
                             where condition: (FleetCensus) -> Bool) throws(DevFailure) -> FleetCensus? {
        let deadline = MonotonicInstant.now().advanced(by: timeout)
        while MonotonicInstant.now() < deadline {
            try DevFleet.requireRunning(fleet.agents)
            if let census = try agents.census(), condition(census) { return census }
            sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Polls `condition` every 100 ms; the time it held, or nil at the timeout.
    private func waitUntil(timeout: Duration, _ condition: () -> Bool) -> MonotonicInstant? {
        let deadline = MonotonicInstant.now().advanced(by: timeout)
        while MonotonicInstant.now() < deadline {
            if condition() { return .now() }
            sleep(for: .milliseconds(100))
        }
        return nil
    }
}
