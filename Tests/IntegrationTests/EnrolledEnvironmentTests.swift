import Foundation
import Testing
import TestSupport

/// The environment an enrollment admitted is the node's (Docs/CERTIFICATES.md, "Enrollment"): an agent
/// enrolled with a `--environment staging` token that restarts reporting `production` is refused at hello,
/// told why, and the leader's node list keeps `staging`.
@Suite(.serialized) struct EnrolledEnvironmentTests {
    @Test func anEnrolledAgentThatReportsAnotherEnvironmentIsRefusedAtHello() throws {
        let certificates = try CertificateFixture(agents: [])
        let coordinator = try AgentEnrollmentTests.enrollingCoordinator(certificates)
        let run = { (arguments: [String]) in try EnvironmentCommandTests.hotswap(arguments, on: coordinator, ca: certificates.ca) }
        let made = try run(["tokens", "create", "--ttl", "1h", "--environment", "staging"])
        #expect(made.status == 0, "\(made.combined)")
        let fields = Self.fields(made.standardOutput)
        let token = try #require(fields["token"]), pin = try #require(fields["ca-hash"])
        let tls = TemporaryDirectory()
        let data = TemporaryDirectory()
        let address = "127.0.0.1:\(coordinator.agentPort)"
        let enrolled = try AgentProcess(name: "edge-1", tlsDirectory: tls.path, coordinators: [address], dataDirectory: data,
                                        extraArguments: ["--interval", "200ms", "--join-token", token, "--ca-hash", pin,
                                                         "--environment", "staging"])
        #expect(eventually { Self.environment(of: "edge-1", run) == "staging" }, "\(enrolled.log.text)")
        #expect(enrolled.stop() == 0)

        let moved = try AgentProcess(name: "edge-1", tlsDirectory: tls.path, coordinators: [address], dataDirectory: data,
                                     extraArguments: ["--interval", "200ms", "--environment", "production"])
        #expect(eventually { moved.log.text.contains("the coordinator refused this agent's hello") }, "\(moved.log.text)")
        #expect(moved.log.text.contains("node edge-1 enrolled for 'staging', not 'production'"), "\(moved.log.text)")
        #expect(!moved.log.text.contains("attached to the leader"), "\(moved.log.text)")
        #expect(Self.environment(of: "edge-1", run) == "staging")
        #expect(coordinator.log.text.contains("agent hello refused"))
        #expect(eventually { Self.environmentRefusals(coordinator).map { $0 >= 1 } == true })
        #expect(moved.stop() == 0)

        let back = try AgentProcess(name: "edge-1", tlsDirectory: tls.path, coordinators: [address], dataDirectory: data,
                                    extraArguments: ["--interval", "200ms", "--environment", "staging"])
        #expect(eventually { back.log.text.contains("attached to the leader") }, "\(back.log.text)")
        #expect(back.stop() == 0)
        #expect(coordinator.stop() == 0)
    }

    /// `hotswap_agent_hellos_refused_total{reason="environment"}`'s value on the coordinator's /metrics; nil if absent.
    static func environmentRefusals(_ coordinator: CoordinatorProcess) -> Double? {
        let series = #"hotswap_agent_hellos_refused_total{reason="environment"} "#
        guard let body = (try? coordinator.request("GET", "/metrics"))?.body,
              let line = body.split(separator: "\n").first(where: { $0.hasPrefix(series) }) else { return nil }
        return Double(line.dropFirst(series.count))
    }

    /// The environment the node list shows for `node`, nil when it is not listed.
    static func environment(of node: String, _ run: ([String]) throws -> ExternalCommand.Output) -> String? {
        guard let listed = try? run(["nodes", "-o", "json"]), listed.status == 0,
              let json = try? JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) else { return nil }
        let nodes = (json as? [[String: Any]]) ?? ((json as? [String: Any])?["nodes"] as? [[String: Any]]) ?? []
        return nodes.first { $0["id"] as? String == node }?["environment"] as? String
    }

    static func fields(_ output: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }
}
