import Foundation
import Testing
import TestSupport

/// The deployment end to end's checks of each member's `/metrics`.
extension DeploymentEndToEndTests {
    /// What each member's `/metrics` must show once it applied both deployments: no deployment
    /// unfinished, one succeeded, one rolled back by the gate's one failed verdict.
    static let finishedLines = [
        "hotswap_deployment_finished_total{state=\"succeeded\"} 1", "hotswap_deployment_finished_total{state=\"rolled_back\"} 1",
        "hotswap_deployment_gate_rollbacks_total 1", "hotswap_deployment_gate_verdicts_total{verdict=\"fail\"} 1",
        "hotswap_deployment_gate_verdicts_total{verdict=\"proceed\"} 1",
    ]

    /// What a member restarted after both deployments shows: it applies the log again and counts
    /// none of it, all of it having committed before it started.
    static let restartedLines = [
        "hotswap_deployment_finished_total{state=\"succeeded\"} 0", "hotswap_deployment_finished_total{state=\"rolled_back\"} 0",
        "hotswap_deployment_gate_rollbacks_total 0", "hotswap_deployment_gate_verdicts_total{verdict=\"fail\"} 0",
        "hotswap_deployment_gate_verdicts_total{verdict=\"proceed\"} 0",
    ]

    /// `name`'s `/metrics` now (empty when it cannot be read).
    func scrape(_ name: String) -> String {
        guard let process = cluster.processes[name] else { return "" }
        return (try? ExternalCommand.run(["curl", "-sS", "--cacert", cluster.certificates.ca, "\(process.apiURL)/metrics"]))?
            .standardOutput ?? ""
    }

    static func appliedIndex(in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix("hotswap_raft_applied_index ") }?.split(separator: " ").last
            .flatMap { Double($0) }
    }

    /// Each member's `/metrics` once it counts both deployments, by name.
    func expectMetricsCountTheDeployments() -> [String: String] {
        var texts: [String: String] = [:]
        for name in cluster.names {
            var text = ""
            let counted = eventually(timeout: .seconds(20), every: .milliseconds(500)) {
                text = scrape(name)
                let lines = Set(text.split(separator: "\n").map(String.init))
                return Self.finishedLines.allSatisfy(lines.contains)
            }
            #expect(counted, "\(name) (\(name == leader ? "leader" : "follower")):\n\(text)")
            #expect(text.contains("# TYPE hotswap_deployment_state gauge") && !text.contains("hotswap_deployment_state{"), "\(name)")
            texts[name] = text
        }
        return texts
    }

    /// promtool accepts each of `texts` (the check alone needs promtool).
    func expectPromtoolAccepts(_ texts: [String: String]) throws {
        try Prerequisite.requireTools("promtool")
        for (name, text) in texts.sorted(by: { $0.key < $1.key }) {
            let check = try ExternalCommand.run(["promtool", "check", "metrics"], input: Data(text.utf8))
            #expect(check.status == 0, "promtool on \(name): \(check.combined)")
        }
    }

    /// Restarts a follower (SIGTERM: its commit index is written): it applies the whole log again
    /// (no snapshot yet) and counts none of it, where it used to count it all again.
    func expectARestartedFollowerCountsNothingAgain() throws {
        let follower = try #require(cluster.names.first { $0 != leader })
        let applied = try #require(Self.appliedIndex(in: scrape(follower)))
        #expect(cluster.processes[follower]?.stop() == 0)
        try cluster.start(follower)
        var text = ""
        let caughtUp = eventually(timeout: .seconds(20), every: .milliseconds(500)) {
            text = scrape(follower)
            return (Self.appliedIndex(in: text) ?? 0) >= applied
        }
        #expect(caughtUp, "\(follower) applied the log again up to \(applied):\n\(text)")
        let lines = Set(text.split(separator: "\n").map(String.init))
        #expect(Self.restartedLines.allSatisfy(lines.contains), "\(follower) after its restart:\n\(text)")
    }
}
