@testable import Agent
import Telemetry
import Testing
import Transport
import Wire

/// The session core as a table: events in, the exact actions out. Fencing
/// by term, redirects, rotation with backoff and standbys, no sockets or time.
@Suite struct AgentSessionCoreTests {
    // MARK: - Fencing

    @Test func aHigherTermIsPersistedBeforeTheFrameIsActedOn() {
        var session = SessionCoreHarness(highestSeenTerm: 2)
        let link = session.startConnected()
        let asked = session.step(.frameReceived(link, welcome(term: 5, leader: "c2")))
        #expect(asked == [.persistTerm(5)], "nothing may be done before the term is durable")
        #expect(session.core.phase == .awaitingAnswer)
        let acted = session.step(.termPersisted(highestTerm: 5))
        #expect(session.core.phase == .welcomed(leaderTerm: 5, leaderName: "c2"))
        #expect(session.core.highestSeenTerm == 5)
        #expect(acted.first == .cancelTimer(.answer))
        #expect(acted.contains { if case .sendReport(_, link) = $0 { true } else { false } })
    }

    @Test func aWelcomeAtTheHighestTermSeenIsAdmittedWithoutPersisting() {
        var session = SessionCoreHarness(highestSeenTerm: 4)
        let link = session.startConnected()
        let acted = session.step(.frameReceived(link, welcome(term: 4)))
        #expect(!acted.persistsATerm)
        #expect(session.core.phase == .welcomed(leaderTerm: 4, leaderName: "c1"))
    }

    @Test func aWelcomeFromADeposedLeaderIsRefusedAndTheNextCoordinatorTried() {
        var session = SessionCoreHarness(highestSeenTerm: 5)
        let link = session.startConnected()
        let acted = session.step(.frameReceived(link, welcome(term: 3)))
        #expect(!acted.persistsATerm)
        #expect(session.core.phase == .idle)
        #expect(acted.contains(.stopLink(link)))
        #expect(acted.moveTimer != nil, "a refused welcome moves on after the backoff")
        session.now = acted.moveTimer!
        #expect(session.step(.timerFired(.move)).dialled == [session.coordinators[1]])
    }

    @Test(arguments: [(UInt64(3), false, "refused: term 3 is below the highest seen term 5"),
                      (UInt64(7), false, "refused: the agent cannot persist term 7"),
                      (UInt64(5), true, "report interval set to 500 ms")])
    func aCommandIsCarriedOutOnlyAtATermThatIsNotStaleAndIsDurable(term: UInt64, accepted: Bool, detail: String) throws {
        var session = SessionCoreHarness(highestSeenTerm: 5)
        _ = session.welcomed(term: 5)
        let acted = session.receive(command(term: term), persisting: false)
        #expect(try commandResults(in: acted) == [AgentCommandResult(commandID: 9, accepted: accepted, detail: detail)])
        #expect(session.core.reportInterval == (accepted ? .milliseconds(500) : .seconds(1)))
        #expect(session.core.highestSeenTerm == 5)
    }

    @Test func anAcknowledgementFromADeposedLeaderReleasesNothing() throws {
        var session = SessionCoreHarness(highestSeenTerm: 5)
        _ = session.welcomed(term: 5)
        session.core.buffer.append(Sample(timestampMilliseconds: 1, hostCPUBusyBasisPoints: 0, hostMemoryUsedBytes: 1,
                                          hostMemoryTotalBytes: 2))
        session.receive(acknowledgement(term: 4, sequence: 1))
        #expect(session.core.buffer.count == 1)
        session.receive(acknowledgement(term: 5, sequence: 1))
        #expect(session.core.buffer.count == 0)
    }

    @Test func aWelcomeWhoseTermCannotBePersistedIsNotActedOn() {
        var session = SessionCoreHarness(highestSeenTerm: 2)
        let link = session.startConnected()
        let acted = session.receive(welcome(term: 7), persisting: false)
        #expect(session.core.phase == .idle)
        #expect(session.core.highestSeenTerm == 2)
        #expect(acted.contains(.stopLink(link)))
        #expect(acted.moveTimer != nil)
        session.now = acted.moveTimer!
        #expect(session.step(.timerFired(.move)).dialled == [session.coordinators[0]], "the same coordinator is redialled")
    }

    // MARK: - Redirects

    @Test func aRedirectIsFollowedAtOnceAndItsTermIsInTheNextHello() throws {
        var session = SessionCoreHarness()
        let link = session.startConnected()
        let acted = session.receive(redirect(term: 3, address: "10.0.0.9:7001"))
        #expect(acted.contains(.stopLink(link)))
        #expect(acted.dialled == [try CoordinatorAddress(parsing: "10.0.0.9:7001")])
        #expect(acted.moveTimer == nil)
        let hello = try #require(try hellos(in: session.step(.linkConnected(session.core.link!))).first)
        #expect(hello.0.highestSeenTerm == 3)
    }

    @Test func redirectsBeyondTheImmediateMaximumWaitForTheBackoff() {
        var session = SessionCoreHarness { $0.session.immediateRedirectsMaximum = 2 }
        _ = session.startConnected()
        var immediate: [Bool] = []
        for term in 1...4 as ClosedRange<UInt64> {
            let acted = session.receive(redirect(term: term, address: "10.0.0.9:7001"))
            immediate.append(acted.moveTimer == nil)
            if let at = acted.moveTimer {
                session.now = at
                session.step(.timerFired(.move))
            }
            session.step(.linkConnected(session.core.link!))
        }
        #expect(immediate == [true, true, false, false])
    }

    @Test(arguments: ["", "not an address"])
    func aRedirectWithoutAUsableAddressMovesToTheNextCoordinator(address: String) throws {
        var session = SessionCoreHarness()
        _ = session.startConnected()
        let acted = session.receive(redirect(term: 1, address: address))
        session.now = try #require(acted.moveTimer)
        #expect(session.step(.timerFired(.move)).dialled == [session.coordinators[1]])
    }

    /// A hello refusal (an enrolled node run with another environment) is no redirect: the agent is not welcomed,
    /// persists nothing and dials the same coordinator again only after the backoff.
    @Test func aRefusedHelloWaitsForTheBackoffBeforeTheSameCoordinator() throws {
        var session = SessionCoreHarness()
        _ = session.startConnected()
        let reason = "run the agent with --environment qa: node node-1 enrolled for 'qa', not 'production'"
        let acted = session.receive(Frame(kind: FrameKind.agentRefusal.rawValue, payload: AgentSessionCodec.encodeRefusal(reason)))
        let logged = session.log.lines.filter { $0.contains("the coordinator refused this agent's hello") }
        #expect(logged.count == 1 && logged.allSatisfy { $0.contains("run the agent with --environment qa") }, "\(logged)")
        #expect(!acted.contains { if case .persistTerm = $0 { true } else { false } })
        if case .welcomed = session.core.phase { Issue.record("a refused hello welcomed the agent") }
        session.now = try #require(acted.moveTimer, "a refusal waits for the backoff")
        #expect(session.step(.timerFired(.move)).dialled == [session.coordinators[0]])
    }

    /// A refusal frame before the agent sent its hello on the link is no answer to it: abandoned as an unexpected kind.
    @Test func aRefusalBeforeTheHelloIsAnUnexpectedKind() {
        var session = SessionCoreHarness()
        session.step(.started)
        let link = session.core.link!
        let refusal = Frame(kind: FrameKind.agentRefusal.rawValue, payload: AgentSessionCodec.encodeRefusal("no"))
        session.step(.frameReceived(link, refusal))
        #expect(session.log.lines.allSatisfy { !$0.contains("the coordinator refused this agent's hello") })
        #expect(session.log.lines.contains { $0.contains("unexpected frame kind 23") }, "\(session.log.lines)")
    }

    // MARK: - Rotation and backoff

    @Test func repeatedFailuresRotateThroughTheListOnTheBackoffSchedule() {
        var session = SessionCoreHarness { $0.session.failuresBeforeRotation = 2 }
        session.step(.started)
        var expected = Backoff(initial: session.core.configuration.session.backoffInitial,
                               maximum: session.core.configuration.session.backoffMaximum, seed: 77)
        var dialled: [CoordinatorAddress] = [session.coordinators[0]]
        for _ in 0..<4 {
            let link = session.core.link!
            session.step(.linkDisconnected(link, reason: .peerClosed))
            #expect(session.step(.linkBackingOff(link)).moveTimer == nil, "the link redials alone")
            session.step(.linkDisconnected(link, reason: .peerClosed))
            let acted = session.step(.linkBackingOff(link))
            #expect(acted.moveTimer == session.now.advanced(by: expected.nextDelay()))
            session.now = acted.moveTimer!
            dialled += session.step(.timerFired(.move)).dialled
        }
        #expect(dialled == [0, 1, 2, 0, 1].map { session.coordinators[$0] })
    }

    @Test func failedAddressesOfOneDialCountAsOneFailure() {
        var session = SessionCoreHarness { $0.session.failuresBeforeRotation = 3 }
        session.step(.started)
        let link = session.core.link!
        for _ in 0..<2 {
            for _ in 0..<4 {
                #expect(session.step(.linkDisconnected(link, reason: .peerClosed)).moveTimer == nil, "one address failed")
            }
            #expect(session.step(.linkBackingOff(link)).moveTimer == nil, "the link redials the same coordinator")
        }
        #expect(session.core.target == session.coordinators[0])
        #expect(session.step(.linkBackingOff(link)).moveTimer != nil, "the third failed dial rotates")
    }

    @Test func noAnswerWithinTheAnswerTimeoutRotates() {
        var session = SessionCoreHarness()
        _ = session.startConnected()
        session.advance(by: session.core.configuration.session.answerTimeout)
        let acted = session.step(.timerFired(.answer))
        #expect(acted.moveTimer != nil)
        #expect(session.core.target == session.coordinators[1])
    }

    @Test func losingTheLeaderAsksAnotherCoordinatorAndNamesTheLostLeader() throws {
        var session = SessionCoreHarness()
        let link = session.welcomed(term: 4, leader: "c1")
        let acted = session.step(.linkDisconnected(link, reason: .peerClosed))
        session.now = try #require(acted.moveTimer)
        #expect(session.step(.timerFired(.move)).dialled == [session.coordinators[1]])
        let hello = try #require(try hellos(in: session.step(.linkConnected(session.core.link!))).first)
        #expect(hello.0.formerLeader == FormerLeader(name: "c1", term: 4))
    }

    // MARK: - Standbys

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func aWelcomeOpensStandbysToEveryOtherCoordinatorWithinTheDelay(seed: UInt64) throws {
        var session = SessionCoreHarness(standbyDelayMaximum: .seconds(30), seed: seed)
        _ = session.startConnected()
        let acted = session.receive(welcome(term: 1))
        let at = try #require(acted.lazy.compactMap { if case let .armTimer(.standby, at) = $0 { at } else { nil } }.first)
        #expect(at >= session.now && at <= session.now.advanced(by: .seconds(30)))
        session.now = at
        let opened = session.step(.timerFired(.standby))
        #expect(opened.compactMap { if case let .openLink(_, address, true) = $0 { address } else { nil } }
            == [session.coordinators[1], session.coordinators[2]])
    }

    @Test func losingTheLeaderSaysHelloOnAConnectedStandbyWithoutDialling() throws {
        var session = SessionCoreHarness(standbyDelayMaximum: .seconds(30))
        let leaderLink = session.welcomed(term: 2)
        session.advance(by: .seconds(30))
        let opened = session.step(.timerFired(.standby))
        let standbys = opened.compactMap { if case let .openLink(id, address, true) = $0 { (id, address) } else { nil } }
        #expect(standbys.map(\.1) == [session.coordinators[1], session.coordinators[2]])
        for (id, _) in standbys { #expect(session.step(.linkConnected(id)).isEmpty, "no hello on a standby") }
        #expect(session.core.status.connectedStandbys == 2)
        let failover = session.step(.linkDisconnected(leaderLink, reason: .peerClosed))
        #expect(failover.dialled.isEmpty && failover.moveTimer == nil)
        let hello = try #require(try hellos(in: failover).first)
        #expect(standbys.map(\.0).contains(hello.1))
        #expect(hello.0.formerLeader == FormerLeader(name: "c1", term: 2))
    }

    @Test func framesOnAStandbyAreIgnored() {
        var session = SessionCoreHarness(standbyDelayMaximum: .zero)
        _ = session.welcomed(term: 2)
        let opened = session.step(.timerFired(.standby))
        guard case let .openLink(standby, _, true)? = opened.first else { return #expect(Bool(false), "\(opened)") }
        session.step(.linkConnected(standby))
        #expect(session.step(.frameReceived(standby, command(term: 9))).isEmpty)
        #expect(session.core.highestSeenTerm == 2)
    }
}
