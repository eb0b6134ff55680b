import Foundation
import Testing
import TestSupport

/// `hotswap env list|show|set|delete` against a real coordinator: the round trip, refused
/// bodies named field by field, and the deletion of an environment that still has a node
/// (a real agent in it) refused with 409.
@Suite(.serialized) struct EnvironmentCommandTests {
    static func hotswap(_ arguments: [String], on coordinator: CoordinatorProcess, ca: String) throws -> ExternalCommand.Output {
        try ExternalCommand.run([HotSwapBinary.path] + arguments, environment: try coordinator.adminCommandLineEnvironment(
                                    ["HOTSWAP_ADDR": coordinator.apiURL, "HOTSWAP_CA": ca]))
    }

    @Test func setShowListAndDeleteRoundTrip() throws {
        let certificates = try CertificateFixture()
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        let run = { (arguments: [String]) in try Self.hotswap(arguments, on: coordinator, ca: certificates.ca) }

        let defaults = try run(["env", "list"])
        #expect(defaults.status == 0, "\(defaults.combined)")
        for name in ["development", "qa", "staging", "production"] { #expect(defaults.standardOutput.contains("\n\(name) ")) }

        let refused = try run(["env", "set", "edge", "--approval", "none"])
        #expect(refused.status == 2 && refused.standardError.hasPrefix(
            "hotswap env set: environment 'edge' does not exist yet: creating it needs --strategy and --approval\n"), "\(refused.combined)")

        let created = try run(["env", "set", "edge", "--strategy", "canary", "--approval", "none"])
        #expect(created.status == 0 && created.standardOutput
                == "created edge: strategy canary, approval none (times out after 24h)\n", "\(created.combined)")
        let changed = try run(["env", "set", "edge", "--approval-timeout", "2h"])
        #expect(changed.status == 0 && changed.standardOutput
                == "updated edge: strategy canary, approval none (times out after 2h)\n", "\(changed.combined)")

        let shown = try run(["env", "show", "edge", "-o", "json"])
        let record = try #require(try JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])
        #expect(record["defaultStrategy"] as? String == "canary" && record["requiresApproval"] as? Bool == false)
        #expect(record["approvalTimeoutSeconds"] as? Int == 7_200)
        #expect(try run(["env", "list"]).standardOutput.contains("\nedge "))

        let deleted = try run(["env", "delete", "edge"])
        #expect(deleted.status == 0 && deleted.standardOutput == "deleted environment edge\n", "\(deleted.combined)")

        // A NAME the cluster would not accept never reaches it: 'staging?' would be the path
        // /api/v1/environments/staging and its query, deleting staging.
        let unsafe = try run(["env", "delete", "staging?"])
        #expect(unsafe.status == 2 && unsafe.standardError.hasPrefix(
            "hotswap env delete: NAME 'staging?' is not an environment name"), "\(unsafe.combined)")
        #expect(try run(["env", "list"]).standardOutput.contains("\nstaging "))
        let member = try run(["cluster", "member", "remove", "c2/../c1"])
        #expect(member.status == 2 && member.standardError.hasPrefix(
            "hotswap cluster member remove: NAME 'c2/../c1' is not a member name"), "\(member.combined)")
        let gone = try run(["env", "show", "edge"])
        #expect(gone.status == 1 && gone.standardOutput.isEmpty)
        #expect(gone.standardError == "hotswap: environment 'edge' does not exist (HTTP 404 not_found)\n", "\(gone.combined)")
    }

    @Test func aBodyWithUnknownFieldsOrABadStrategyIsRefusedByName() throws {
        let certificates = try CertificateFixture()
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        let authorization = try coordinator.adminAuthorization()
        let put = { (body: String) throws -> (status: String, body: String) in
            let output = try ExternalCommand.run(["curl", "-sS", "--max-time", "6", "--cacert", certificates.ca, "-w", "\n%{http_code}",
                                                  "-X", "PUT", "-d", body] + authorization
                                                 + ["\(coordinator.apiURL)/api/v1/environments/edge"])
            let lines = output.standardOutput.split(separator: "\n")
            return (String(lines.last ?? ""), lines.dropLast().joined(separator: "\n"))
        }
        let misspelt = try put(#"{"defaultStrategy":"canary","requiresAproval":true,"colour":"red"}"#)
        #expect(misspelt.status == "400")
        #expect(misspelt.body.contains(#"unknown fields 'colour', 'requiresAproval' (did you mean 'requiresApproval'?)"#),
                "\(misspelt.body)")
        let strategy = try put(#"{"defaultStrategy":"yolo","requiresApproval":true}"#)
        #expect(strategy.status == "400")
        #expect(strategy.body.contains("defaultStrategy 'yolo' is not one of direct, rolling, blueGreen or canary"), "\(strategy.body)")
        // A valid body is stored once the new coordinator leads (before, it answers 503).
        #expect(eventually { (try? put(#"{"defaultStrategy":"rolling","requiresApproval":true}"#))?.status == "201" })
    }

    @Test func deletingAnEnvironmentWithANodeIsRefusedWithConflict() throws {
        let certificates = try CertificateFixture()
        let coordinator = try CoordinatorProcess(tlsDirectory: certificates.tlsDirectory)
        let run = { (arguments: [String]) in try Self.hotswap(arguments, on: coordinator, ca: certificates.ca) }
        #expect(try run(["env", "set", "edge", "--strategy", "direct", "--approval", "none"]).status == 0)
        let agent = try AgentProcess(tlsDirectory: certificates.tlsDirectory, coordinators: ["127.0.0.1:\(coordinator.agentPort)"],
                                     extraArguments: ["--interval", "200ms", "--environment", "edge"])
        let recorded = eventually {
            (try? run(["nodes", "-o", "json"]))?.standardOutput.contains(#""environment":"edge""#) == true
        }
        #expect(recorded, "the agent's node was never recorded in edge")

        let refused = try run(["env", "delete", "edge"])
        #expect(refused.status == 1 && refused.standardOutput.isEmpty)
        #expect(refused.standardError == "hotswap: environment 'edge' still has 1 node (node-1); move or remove them first "
                + "('hotswap nodes' shows each node's environment)\n", "\(refused.combined)")
        let status = try ExternalCommand.run(["curl", "-sS", "--max-time", "6", "--cacert", certificates.ca, "-o", "/dev/null",
                                              "-w", "%{http_code}", "-X", "DELETE"] + (try coordinator.adminAuthorization())
                                             + ["\(coordinator.apiURL)/api/v1/environments/edge"])
        #expect(status.standardOutput == "409")
        #expect(try run(["env", "show", "edge"]).status == 0, "the refused deletion left the environment")
        _ = agent
    }
}
