import Foundation
import Testing
import TestSupport
import Wire

/// `hotswap nodes revoke` and `hotswap nodes remove` against a real three-coordinator cluster
/// and a real agent: a revocation closes the node's session at once and refuses its re-dials at
/// the TLS handshake, a certificate issued after it is accepted; a connected node cannot be
/// removed, a stopped one is removed and gone from every coordinator's node list.
@Suite(.serialized)
struct NodeAdministrationTests {
    /// `hotswap nodes ARGUMENTS` against `member`'s API.
    static func hotswapNodes(_ arguments: [String], on member: String, in cluster: ClusterFixture) throws -> ExternalCommand.Output {
        let process = try #require(cluster.processes[member])
        return try ExternalCommand.run([HotSwapBinary.path, "nodes"] + arguments
                                       + ["--addr", process.apiURL, "--ca", cluster.certificates.ca],
                                       environment: cluster.commandLineEnvironment())
    }

    static func isLive(_ node: String, in cluster: ClusterFixture, via member: String) -> Bool {
        cluster.nodes(via: member)[node]?["status"] as? String == "live"
    }

    @Test func aRevokedAgentIsClosedAndRefusedUntilItGetsACertificateIssuedAfterTheRevocation() throws {
        let cluster = try ClusterFixture(agents: ["node-1"])
        let leader = try #require(cluster.agreedLeader())
        let follower = try #require(cluster.names.first { $0 != leader })
        let agent = try AgentProcess(name: "node-1", tlsDirectory: cluster.certificates.tlsDirectory,
                                     coordinators: cluster.agentAddresses)
        #expect(eventually { Self.isLive("node-1", in: cluster, via: leader) }, "the agent never reported")

        // Through a follower: it forwards the revocation, the leader stamps its time.
        let revoked = try Self.hotswapNodes(["revoke", "node-1", "-o", "json"], on: follower, in: cluster)
        #expect(revoked.status == 0, "\(revoked.combined)")
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(revoked.standardOutput.utf8)) as? [String: Any])
        let revokedAt = try #require((answer["revokedAtMilliseconds"] as? NSNumber)?.uint64Value)
        #expect(answer["node"] as? String == "node-1")

        for member in cluster.names {
            #expect(eventually { cluster.processes[member]?.log.text.contains("node revoked; closing its agent connections") == true },
                    "\(member) did not apply the revocation")
            #expect(cluster.processes[member]?.log.text.contains("node=node-1") == true)
        }
        #expect(eventually { agent.log.text.contains("lost the leader") || agent.log.text.contains("closing the coordinator connection") },
                "the agent's session was not closed: \(agent.log.text)")
        #expect(eventually { cluster.processes[leader]?.log.text.contains("peer refused: node 'node-1' was revoked") == true },
                "the agent's re-dial was not refused at the handshake")
        let listed = try Self.hotswapNodes(["revocations", "-o", "json"], on: leader, in: cluster)
        #expect(listed.status == 0 && listed.standardOutput.contains("\"revokedAtMilliseconds\":\(revokedAt)"), "\(listed.combined)")

        // A client with the revoked certificate gets no further than the handshake.
        let certificates = cluster.certificates
        let oldClient = try TestTLSClient(certificate: certificates.certificate("node-1"), key: certificates.key("node-1"),
                                          ca: certificates.ca)
        let probe = FrameAgent(client: oldClient, port: try #require(cluster.processes[leader]).agentPort)
        probe.hello("node-1")
        #expect(eventually { probe.transcript.isClosed })
        #expect(probe.frames(of: .agentWelcome).isEmpty)
        agent.stop()

        // Re-enroll: a certificate whose validity starts after the revocation's second.
        let firstAcceptedSecond = revokedAt / 1_000 + 1
        #expect(eventually(timeout: .seconds(5)) { UInt64(Date().timeIntervalSince1970) >= firstAcceptedSecond })
        for file in [certificates.certificate("node-1"), certificates.key("node-1")] {
            try FileManager.default.removeItem(atPath: file)
        }
        try CertificateFixture.hotswap(["certs", "issue", "--dir", certificates.tlsDirectory, "--role", "agent",
                                        "--name", "node-1", "--backdate-seconds", "0"])
        let reenrolled = try AgentProcess(name: "node-1", tlsDirectory: certificates.tlsDirectory,
                                          coordinators: cluster.agentAddresses)
        #expect(eventually { reenrolled.log.text.contains("attached to the leader") }, "\(reenrolled.log.text)")
        #expect(eventually { Self.isLive("node-1", in: cluster, via: follower) })
    }

    @Test func aConnectedNodeIsNotRemovedAndAStoppedOneIsGoneFromEveryMember() throws {
        let cluster = try ClusterFixture(agents: ["node-1", "node-2"])
        let leader = try #require(cluster.agreedLeader())
        let follower = try #require(cluster.names.first { $0 != leader })
        let agent = try AgentProcess(name: "node-1", tlsDirectory: cluster.certificates.tlsDirectory,
                                     coordinators: cluster.agentAddresses)
        let bystander = try AgentProcess(name: "node-2", tlsDirectory: cluster.certificates.tlsDirectory,
                                         coordinators: cluster.agentAddresses)
        #expect(eventually { Self.isLive("node-1", in: cluster, via: leader) && Self.isLive("node-2", in: cluster, via: leader) })

        let refused = try Self.hotswapNodes(["remove", "node-1"], on: follower, in: cluster)
        #expect(refused.status == 1 && refused.standardError.contains("409") && refused.standardError.contains("node_connected"),
                "\(refused.combined)")
        #expect(cluster.nodes(via: leader)["node-1"] != nil)

        agent.stop()
        // The leader sees the session end a moment after the agent exits.
        #expect(eventually { (try? Self.hotswapNodes(["remove", "node-1"], on: follower, in: cluster))?.status == 0 })
        for member in cluster.names {
            #expect(eventually { cluster.nodes(via: member)["node-1"] == nil && cluster.nodes(via: member)["node-2"] != nil },
                    "node-1 is still listed through \(member)")
        }
        #expect(eventually { cluster.processes[leader]?.log.text.contains("node removed; its window is dropped") == true })
        let again = try Self.hotswapNodes(["remove", "node-1"], on: leader, in: cluster)
        #expect(again.status == 1 && again.standardError.contains("404"), "\(again.combined)")
        #expect(Self.isLive("node-2", in: cluster, via: leader), "another node is untouched")
        bystander.stop()
    }
}
