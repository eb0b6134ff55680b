import Agent
import AgentSimulation
import Foundation
import Testing
import TestSupport

/// 500 agents (the real agent session, each its own mutual-TLS connection
/// and certificate, in this process) report every 250 ms for a sustained
/// period to a real coordinator whose tables are set small; the leader's
/// per-node windows and its node table stay within their bounds. Sizes are
/// asserted, never time.
@Suite(.serialized)
struct GatewayBoundsTests {
    static let agentCount = 500
    static let nodesMaximum = 400
    static let windowSamples = 10
    static let windowMinutes = 2

    @Test func windowsAndTheNodeTableStayWithinTheirBoundsUnder500Agents() throws {
        let certificates = try CertificateFixture(agents: [])
        let names = try SimulatedAgentFleet.prepareCertificates(count: Self.agentCount, tlsDirectory: certificates.tlsDirectory)
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory, extraArguments: [
            "--agent-window-samples", "\(Self.windowSamples)", "--agent-window-minutes", "\(Self.windowMinutes)",
            "--agent-nodes-maximum", "\(Self.nodesMaximum)"])
        let fleet = try SimulatedAgentFleet(loops: 2)
        defer { fleet.stop() }
        try fleet.start(names: names, coordinators: [try CoordinatorAddress(parsing: "127.0.0.1:\(coordinator.agentPort)")],
                        tlsDirectory: certificates.tlsDirectory, interval: .milliseconds(250), perSecond: 1_000)

        let metrics = MetricsScraper(ca: certificates.ca, url: coordinator.apiURL)
        #expect(eventually(timeout: .seconds(120)) { metrics.value("hotswap_agent_windows") == Double(Self.nodesMaximum) },
                "windows: \(metrics.value("hotswap_agent_windows") ?? -1)")
        let reportsAtFull = metrics.value("hotswap_agent_reports_total") ?? 0
        let sustained = eventually(timeout: .seconds(180)) {
            (metrics.value("hotswap_agent_reports_total") ?? 0) >= reportsAtFull + Double(Self.nodesMaximum * Self.windowSamples * 3)
        }
        #expect(sustained, "the accepted agents kept reporting past three windows' worth of samples each")
        #expect(metrics.value("hotswap_agent_windows") == Double(Self.nodesMaximum), "the node table grew past its bound")
        #expect((metrics.value("hotswap_agent_sessions_refused_total") ?? 0) >= Double(Self.agentCount - Self.nodesMaximum))

        let authorization = try coordinator.adminAuthorization()
        let fetch = { (path: String) in fetchJSON(ca: certificates.ca, url: coordinator.apiURL + path, authorization: authorization) }
        let listed = try #require(fetch("/api/v1/nodes")?["nodes"] as? [[String: Any]])
        #expect(listed.count == Self.nodesMaximum)
        for node in listed.prefix(25) {
            let id = try #require(node["id"] as? String)
            let window = try #require(fetch("/api/v1/nodes/\(id)/metrics?since=0"))
            let samples = (window["samples"] as? [Any])?.count ?? -1
            let minutes = (window["minutes"] as? [Any])?.count ?? -1
            #expect(samples == Self.windowSamples, "\(id) holds \(samples) full-resolution samples")
            #expect((1...Self.windowMinutes).contains(minutes), "\(id) holds \(minutes) minute summaries")
        }
    }
}

/// Reads single values from a coordinator's `/metrics` with curl.
struct MetricsScraper {
    let ca: String
    let url: String

    func value(_ name: String) -> Double? {
        guard let output = try? ExternalCommand.run(["curl", "-sS", "--max-time", "15", "--cacert", ca, url + "/metrics"]) else {
            return nil
        }
        let line = output.standardOutput.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }
    }
}

/// `GET url` with curl and `authorization` (its curl arguments), parsed as a JSON object.
func fetchJSON(ca: String, url: String, authorization: [String]) -> [String: Any]? {
    guard let output = try? ExternalCommand.run(["curl", "-sS", "--max-time", "15", "--cacert", ca] + authorization + [url]),
          output.status == 0 else { return nil }
    return (try? JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8))) as? [String: Any]
}
