@testable import Agent
import Telemetry
import TestSupport
import Testing
import Wire

/// The agent's session against scripted coordinators: real mutual TLS on
/// loopback with certificates of one CA, the real agent runner in this process.
struct SessionTests {
    let certificates: AgentCertificates

    init() throws {
        certificates = try AgentCertificates(coordinators: ["c1", "c2"], agents: ["node-1"])
    }

    @Test func helloComesFirstAndCarriesTheCertificateNameAndInventory() throws {
        let coordinator = try certificates.coordinator("c1", answer: .welcome(term: 1, leaderName: "c1"))
        defer { coordinator.shutdown() }
        let agent = try AgentUnderTest(certificates: certificates, coordinators: [coordinator.address]) { configuration in
            configuration.environment = "staging"
            configuration.labels = ["zone": "eu-1", "rack": "r7"]
            configuration.modules = [ModuleWatch(name: "api", pidFile: "/nonexistent/api.pid", version: "1.4.2"),
                                     ModuleWatch(name: "worker", pidFile: "/nonexistent/worker.pid")]
        }
        defer { agent.stop() }
        #expect(eventually { !coordinator.hellos.isEmpty })
        let received = try #require(coordinator.hellos.first)
        #expect(received.wasFirstFrame, "hello must be the first frame on the connection")
        #expect(received.certificateName == "node-1")
        #expect(received.hello == AgentHello(
            nodeName: "node-1", incarnation: agent.runner.incarnation, highestSeenTerm: 0, reportIntervalMilliseconds: 100,
            environment: "staging", labels: ["zone": "eu-1", "rack": "r7"], moduleVersions: ["api": "1.4.2"]))
        #expect(eventually { agent.status.leaderName == "c1" })
    }

    @Test func aRedirectIsFollowedToTheAddressItNamesAndItsTermPersisted() throws {
        let leader = try certificates.coordinator("c2", answer: .welcome(term: 3, leaderName: "c2"))
        defer { leader.shutdown() }
        let follower = try certificates.coordinator("c1", answer: .redirect(term: 3, leaderName: "c2", address: leader.address))
        defer { follower.shutdown() }
        let agent = try AgentUnderTest(certificates: certificates, coordinators: [follower.address])
        defer { agent.stop() }
        #expect(eventually { agent.status.leaderName == "c2" }, "\(agent.logText)")
        #expect(follower.hellos.count >= 1)
        #expect(leader.hellos.first?.hello.highestSeenTerm == 3, "the redirect's term was not persisted before dialling on")
        #expect(agent.status.coordinatorAddress == leader.address)
        #expect(agent.persistedTerm == "3\n")
    }

    @Test func aRedirectWithoutAnAddressMovesToTheNextCoordinator() throws {
        let follower = try certificates.coordinator("c1", answer: .redirect(term: 2, leaderName: "", address: ""))
        defer { follower.shutdown() }
        let leader = try certificates.coordinator("c2", answer: .welcome(term: 2, leaderName: "c2"))
        defer { leader.shutdown() }
        let agent = try AgentUnderTest(certificates: certificates, coordinators: [follower.address, leader.address])
        defer { agent.stop() }
        #expect(eventually { agent.status.leaderName == "c2" }, "\(agent.logText)")
        #expect(follower.hellos.count >= 1)
    }

    @Test func aLostLeaderIsNamedInTheNextHelloAndNotRedialledFirst() throws {
        let certificates = try AgentCertificates(coordinators: ["c1", "c2", "c3"], agents: ["node-1"])
        let leader = try certificates.coordinator("c2", answer: .welcome(term: 3, leaderName: "c2"))
        defer { leader.shutdown() }
        let follower = try certificates.coordinator("c1", answer: .redirect(term: 3, leaderName: "c2", address: leader.address))
        defer { follower.shutdown() }
        let next = try certificates.coordinator("c3", answer: .welcome(term: 4, leaderName: "c3"))
        defer { next.shutdown() }
        let agent = try AgentUnderTest(certificates: certificates,
                                       coordinators: [follower.address, leader.address, next.address])
        defer { agent.stop() }
        #expect(eventually { agent.status.leaderName == "c2" }, "\(agent.logText)")
        #expect(follower.hellos.first?.hello.formerLeader == nil)
        leader.setAnswer(.silence)
        leader.closeConnections()
        #expect(eventually { agent.status.leaderName == "c3" }, "\(agent.logText)")
        #expect(next.hellos.first?.hello.formerLeader == FormerLeader(name: "c2", term: 3))
        #expect(leader.hellos.count == 1, "the lost leader, next in the list, was dialled again before the others")
    }

    @Test func aStandbyConnectionCarriesTheHelloWhenTheLeaderIsLost() throws {
        let leader = try certificates.coordinator("c1", answer: .welcome(term: 3, leaderName: "c1"))
        defer { leader.shutdown() }
        let next = try certificates.coordinator("c2", answer: .welcome(term: 4, leaderName: "c2"))
        defer { next.shutdown() }
        let agent = try AgentUnderTest(certificates: certificates, coordinators: [leader.address, next.address]) {
            $0.session.standbyDelayMaximum = .milliseconds(50)
        }
        defer { agent.stop() }
        #expect(eventually { agent.status.leaderName == "c1" }, "\(agent.logText)")
        #expect(eventually { next.connectionCount == 1 }, "no standby connection to c2")
        #expect(next.hellos.isEmpty, "a standby connection says no hello while the leader lives")
        leader.setAnswer(.silence)
        leader.closeConnections()
        #expect(eventually { agent.status.leaderName == "c2" }, "\(agent.logText)")
        #expect(next.connectionCount == 1, "the hello went out on a new connection, not the standby one")
        #expect(next.hellos.first?.hello.formerLeader == FormerLeader(name: "c1", term: 3))
    }

    @Test func everyOtherCoordinatorGetsAStandbyAndARedirectIsFollowedOnOne() throws {
        let certificates = try AgentCertificates(coordinators: ["c1", "c2", "c3"], agents: ["node-1"])
        let leader = try certificates.coordinator("c1", answer: .welcome(term: 3, leaderName: "c1"))
        defer { leader.shutdown() }
        let next = try certificates.coordinator("c3", answer: .welcome(term: 4, leaderName: "c3"))
        defer { next.shutdown() }
        let follower = try certificates.coordinator("c2", answer: .redirect(term: 4, leaderName: "c3", address: next.address))
        defer { follower.shutdown() }
        let agent = try AgentUnderTest(certificates: certificates,
                                       coordinators: [leader.address, follower.address, next.address]) {
            $0.session.standbyDelayMaximum = .milliseconds(50)
        }
        defer { agent.stop() }
        #expect(eventually { agent.status.leaderName == "c1" && agent.status.connectedStandbys == 2 }, "\(agent.logText)")
        #expect(follower.hellos.isEmpty && next.hellos.isEmpty, "a standby connection says no hello while the leader lives")
        leader.setAnswer(.silence)
        leader.closeConnections()
        // Whichever standby carries the hello, c2's redirect is followed on the
        // standby to c3, so c3 sees one connection and c2 at most one hello.
        // c2 closes a connection it redirected; once welcomed by c3, the agent
        // may already have opened a new standby (no hello) to c2.
        #expect(eventually { agent.status.leaderName == "c3" }, "\(agent.logText)")
        #expect(next.connectionCount == 1, "c3 was dialled again: \(next.connectionCount) connections")
        #expect(follower.hellos.count <= 1, "c2 was dialled again for a hello: \(follower.hellos.count) hellos")
        #expect(next.hellos.first?.hello.formerLeader == FormerLeader(name: "c1", term: 3))
    }

    @Test func aStandbyThatNeverConnectedDoesNotKeepTheAgentAtADeadCoordinator() throws {
        let leader = try certificates.coordinator("c1", answer: .welcome(term: 3, leaderName: "c1"))
        defer { leader.shutdown() }
        let agent = try AgentUnderTest(certificates: certificates,
                                       coordinators: [leader.address, "127.0.0.1:\(vacantPort())"]) {
            $0.session.standbyDelayMaximum = .milliseconds(50)
        }
        defer { agent.stop() }
        #expect(eventually { agent.status.leaderName == "c1" && agent.logText.contains("opening a standby connection") },
                "\(agent.logText)")
        leader.setAnswer(.welcome(term: 4, leaderName: "c1"))
        leader.closeConnections()
        #expect(eventually { agent.status.leaderName == "c1" && agent.status.highestSeenTerm == 4 },
                "the agent kept dialling its dead standby coordinator: \(agent.logText.suffix(2_000))")
    }

    @Test func repeatedFailuresMoveToTheNextCoordinator() throws {
        let leader = try certificates.coordinator("c2", answer: .welcome(term: 1, leaderName: "c2"))
        defer { leader.shutdown() }
        let agent = try AgentUnderTest(certificates: certificates,
                                       coordinators: ["127.0.0.1:\(vacantPort())", leader.address])
        defer { agent.stop() }
        #expect(eventually { agent.status.leaderName == "c2" }, "\(agent.logText)")
        #expect(agent.logText.contains("trying the next coordinator"))
    }

    @Test func aCoordinatorThatNeverAnswersTheHelloIsLeftForTheNext() throws {
        let silent = try certificates.coordinator("c1", answer: .silence)
        defer { silent.shutdown() }
        let leader = try certificates.coordinator("c2", answer: .welcome(term: 1, leaderName: "c2"))
        defer { leader.shutdown() }
        let agent = try AgentUnderTest(certificates: certificates, coordinators: [silent.address, leader.address]) {
            $0.session.answerTimeout = .milliseconds(300)
        }
        defer { agent.stop() }
        #expect(eventually { agent.status.leaderName == "c2" }, "\(agent.logText)")
        #expect(silent.hellos.count >= 1)
    }

    @Test func reportsFlowOnceWelcomedAndAcknowledgementsReleaseTheBuffer() throws {
        let coordinator = try certificates.coordinator("c1", answer: .welcome(term: 2, leaderName: "c1"))
        defer { coordinator.shutdown() }
        let agent = try AgentUnderTest(certificates: certificates, coordinators: [coordinator.address])
        defer { agent.stop() }
        let incarnation = agent.runner.incarnation
        #expect(eventually { coordinator.storedSequences(incarnation: incarnation).count >= 5 })
        let stored = coordinator.storedSequences(incarnation: incarnation)
        #expect(stored == Array(1...UInt64(stored.count)), "sequences start at 1 without a gap")
        #expect(eventually { agent.status.pendingSamples <= 1 }, "acknowledged samples are still buffered")
        let reports = coordinator.reports
        #expect(reports.allSatisfy { $0.agentIncarnation == incarnation && $0.highestSeenTerm == 2 })
        let samples = coordinator.receivedSamples
        #expect(zip(samples, samples.dropFirst()).allSatisfy { $0.timestampMilliseconds <= $1.timestampMilliseconds })
        #expect(samples.allSatisfy { $0.hostCPUBusyBasisPoints <= 10_000 && $0.hostMemoryUsedBytes <= $0.hostMemoryTotalBytes })
        #expect(eventually { coordinator.receivedSamples.contains { $0.roundTripMicroseconds != nil } },
                "no sample carried the keepalive round trip")
    }

    @Test func aReconnectResendsWhatTheLeaderDidNotStoreWithoutAGap() throws {
        let coordinator = try certificates.coordinator("c1", answer: .welcome(term: 2, leaderName: "c1"))
        defer { coordinator.shutdown() }
        let agent = try AgentUnderTest(certificates: certificates, coordinators: [coordinator.address])
        defer { agent.stop() }
        let incarnation = agent.runner.incarnation
        #expect(eventually { coordinator.storedSequences(incarnation: incarnation).count >= 3 })
        coordinator.setStores(false)
        let lostFrom = coordinator.storedSequences(incarnation: incarnation).count + 1
        #expect(eventually { agent.status.pendingSamples >= 5 }, "the agent dropped samples nobody acknowledged")
        coordinator.closeConnections()
        coordinator.setStores(true)
        #expect(eventually { coordinator.connectionCount >= 2 && agent.status.leaderName == "c1" })
        #expect(eventually { agent.status.pendingSamples <= 1 })
        let stored = coordinator.storedSequences(incarnation: incarnation)
        #expect(stored == Array(1...UInt64(stored.count)), "a sequence went missing across the reconnect")
        #expect(stored.count >= lostFrom + 4, "the samples taken while nothing was stored were not resent")
        #expect(coordinator.hellos.count >= 2)
    }

    @Test func aCommandFromALowerTermIsRefusedLoggedAndNotCarriedOut() throws {
        let data = TemporaryDirectory()
        try data.write("5\n", to: "term")
        let coordinator = try certificates.coordinator("c1", answer: .welcome(term: 5, leaderName: "c1"))
        defer { coordinator.shutdown() }
        let agent = try AgentUnderTest(certificates: certificates, coordinators: [coordinator.address], data: data)
        defer { agent.stop() }
        #expect(eventually { agent.status.leaderName == "c1" })
        coordinator.send(AgentCommand(leaderTerm: 4, commandID: 11, action: .setReportInterval(milliseconds: 300)))
        #expect(eventually { coordinator.commandResults.contains { $0.commandID == 11 } })
        let result = try #require(coordinator.commandResults.first { $0.commandID == 11 })
        #expect(!result.accepted)
        #expect(result.detail.contains("below the highest seen term 5"), "\(result.detail)")
        #expect(agent.logText.contains("refused a command from a deposed leader"))
        #expect(agent.logText.contains("command=11"))
        #expect(agent.status.reportIntervalMilliseconds == 100)
        #expect(agent.persistedTerm == "5\n")
    }

    @Test func aHigherTermIsPersistedBeforeTheCommandIsCarriedOut() throws {
        let coordinator = try certificates.coordinator("c1", answer: .welcome(term: 5, leaderName: "c1"))
        defer { coordinator.shutdown() }
        let agent = try AgentUnderTest(certificates: certificates, coordinators: [coordinator.address])
        defer { agent.stop() }
        #expect(eventually { agent.status.leaderName == "c1" })
        coordinator.send(AgentCommand(leaderTerm: 8, commandID: 12, action: .setReportInterval(milliseconds: 250)))
        var termWhenAnswered: String?
        #expect(eventually {
            guard coordinator.commandResults.contains(where: { $0.commandID == 12 }) else { return false }
            termWhenAnswered = agent.persistedTerm
            return true
        })
        #expect(termWhenAnswered == "8\n", "the command was answered before its term reached the disk")
        #expect(coordinator.commandResults.first { $0.commandID == 12 }?.accepted == true)
        #expect(agent.status.reportIntervalMilliseconds == 250)
        let lines = agent.log.lines
        let persisted = try #require(lines.firstIndex { $0.contains("persisted a higher leader term") && $0.contains("term=8") })
        let applied = try #require(lines.firstIndex { $0.contains("report interval changed by the leader") })
        #expect(persisted < applied)
    }

    @Test func aRestartedAgentKeepsItsTermAndRefusesADeposedLeadersWelcome() throws {
        let data = TemporaryDirectory()
        let stale = try certificates.coordinator("c1", answer: .welcome(term: 4, leaderName: "c1"))
        defer { stale.shutdown() }
        let leader = try certificates.coordinator("c2", answer: .welcome(term: 6, leaderName: "c2"))
        defer { leader.shutdown() }
        let first = try AgentUnderTest(certificates: certificates, coordinators: [leader.address], data: data)
        #expect(eventually { first.status.leaderName == "c2" })
        first.stop()
        #expect(data.read("term") == "6\n")
        let second = try AgentUnderTest(certificates: certificates, coordinators: [stale.address, leader.address], data: data)
        defer { second.stop() }
        #expect(eventually { second.status.leaderName == "c2" }, "\(second.logText)")
        #expect(stale.hellos.first?.hello.highestSeenTerm == 6)
        #expect(second.logText.contains("refused a welcome from a deposed leader"))
        #expect(second.runner.incarnation != first.runner.incarnation)
        #expect(data.read("term") == "6\n")
    }

    @Test func anAcknowledgementFromALowerTermReleasesNothing() throws {
        let coordinator = try certificates.coordinator("c1", answer: .welcome(term: 5, leaderName: "c1"))
        defer { coordinator.shutdown() }
        coordinator.setAcknowledgementTerm(3)
        let agent = try AgentUnderTest(certificates: certificates, coordinators: [coordinator.address])
        defer { agent.stop() }
        #expect(eventually { coordinator.storedSequences(incarnation: agent.runner.incarnation).count >= 5 })
        #expect(agent.status.pendingSamples >= 4, "a deposed leader's acknowledgement released samples")
        #expect(agent.logText.contains("ignored a report acknowledgement from a deposed leader"))
    }

    @Test func aMalformedFrameDropsTheConnectionAndTheAgentRedials() throws {
        let coordinator = try certificates.coordinator("c1", answer: .welcome(term: 1, leaderName: "c1"))
        defer { coordinator.shutdown() }
        let agent = try AgentUnderTest(certificates: certificates, coordinators: [coordinator.address])
        defer { agent.stop() }
        #expect(eventually { agent.status.leaderName == "c1" })
        coordinator.broadcast(Frame(kind: FrameKind.reportAck.rawValue, payload: [0xFF]))
        #expect(eventually { coordinator.connectionCount >= 2 && agent.status.leaderName == "c1" })
        #expect(agent.logText.contains("malformed frame of kind 7"))
    }

    @Test func shutdownClosesTheConnectionAndJoins() throws {
        let coordinator = try certificates.coordinator("c1", answer: .welcome(term: 1, leaderName: "c1"))
        defer { coordinator.shutdown() }
        let agent = try AgentUnderTest(certificates: certificates, coordinators: [coordinator.address])
        #expect(eventually { agent.status.leaderName == "c1" && coordinator.openChannelCount == 1 })
        agent.stop()
        #expect(eventually { coordinator.openChannelCount == 0 })
        #expect(agent.logText.contains("agent stopped"))
    }
}
