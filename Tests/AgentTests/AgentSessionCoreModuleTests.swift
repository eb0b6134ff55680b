@testable import Agent
import HostInstall
import Telemetry
import Testing
import Transport
import Wire

/// Module orders through the session core: an admitted order goes to the module owner, a stale
/// or malformed one is refused at once, transfer frames reach the fetch only while welcomed, an
/// artifact request goes out only on the order's current link, and a result is dropped once its
/// link is gone.
@Suite struct AgentSessionCoreModuleTests {
    static let sha = [UInt8](repeating: 0xAB, count: 32)

    static func order(term: UInt64, module: String = "web", sequence: UInt64 = 1, sha256: [UInt8] = sha) -> ModuleOrder {
        ModuleOrder(module: module,
                    command: InstallCommand(operation: OperationID(deploymentID: "d1", wave: 1, kind: .install(version: "1.0.0")),
                                            term: term, sequence: sequence, strategy: .inPlace),
                    artifact: OrderedArtifact(sha256: sha256, size: 100))
    }

    static func orderFrame(_ order: ModuleOrder, leaderTerm: UInt64, id: UInt64 = 21) -> Frame {
        Frame(kind: FrameKind.agentCommand.rawValue,
              payload: AgentSessionCodec.encode(AgentCommand(leaderTerm: leaderTerm, commandID: id, action: .module(order))))
    }

    @Test func anAdmittedOrderGoesToTheModuleOwnerAndIsNotAnsweredYet() throws {
        var session = SessionCoreHarness(highestSeenTerm: 5)
        let link = session.welcomed(term: 5)
        let order = Self.order(term: 5)
        let acted = session.receive(Self.orderFrame(order, leaderTerm: 5))
        #expect(acted == [.runModuleOrder(commandID: 21, order: order, on: link)])
        #expect(try commandResults(in: acted).isEmpty)
    }

    @Test func anOrderBelowTheHighestSeenTermIsRefusedAndNotRun() throws {
        var session = SessionCoreHarness(highestSeenTerm: 5)
        _ = session.welcomed(term: 5)
        let acted = session.receive(Self.orderFrame(Self.order(term: 4), leaderTerm: 4))
        #expect(!acted.contains { if case .runModuleOrder = $0 { true } else { false } })
        let result = try #require(try commandResults(in: acted).first)
        #expect(!result.accepted && result.install == nil && result.detail.contains("below the highest seen term 5"))
    }

    @Test func anOrderOfAnotherTermThanItsCommandIsRefused() throws {
        var session = SessionCoreHarness(highestSeenTerm: 5)
        _ = session.welcomed(term: 5)
        let acted = session.receive(Self.orderFrame(Self.order(term: 4), leaderTerm: 5))
        #expect(!acted.contains { if case .runModuleOrder = $0 { true } else { false } })
        let result = try #require(try commandResults(in: acted).first)
        #expect(!result.accepted && result.detail.hasPrefix("refused: "))
    }

    @Test func anOrderBeforeAnyWelcomeIsRefusedAndNotRun() throws {
        var session = SessionCoreHarness(highestSeenTerm: 5)
        _ = session.startConnected()
        let acted = session.receive(Self.orderFrame(Self.order(term: 5), leaderTerm: 5))
        #expect(!acted.contains { if case .runModuleOrder = $0 { true } else { false } })
        let result = try #require(try commandResults(in: acted).first)
        #expect(!result.accepted && result.install == nil && result.detail.contains("no leader has welcomed"))
        #expect(session.core.welcomedLink == nil)
    }

    @Test func transferFramesReachTheFetchOnlyWhileWelcomed() throws {
        var session = SessionCoreHarness(highestSeenTerm: 5)
        let early = session.startConnected()
        let refusal = Frame(kind: FrameKind.artifactRefusal.rawValue,
                            payload: ArtifactRequestCodec.encode(ArtifactRefusal(sha256: Self.sha, reason: .busy)))
        #expect(session.step(.frameReceived(early, refusal)).contains(.stopLink(early)), "before a welcome it is unexpected")

        var welcomed = SessionCoreHarness(highestSeenTerm: 5)
        let link = welcomed.welcomed(term: 5)
        #expect(welcomed.step(.frameReceived(link, refusal)) == [
            .deliverArtifactFrame(.refusal(ArtifactRefusal(sha256: Self.sha, reason: .busy)), on: link)])
        let chunk = TransferChunk(transferID: 3, offset: 0, bytes: [1, 2, 3])
        let frame = Frame(kind: FrameKind.transferChunk.rawValue, payload: TransferCodec.encode(chunk))
        #expect(welcomed.step(.frameReceived(link, frame)) == [.deliverArtifactFrame(.chunk(chunk), on: link)])
        let end = Frame(kind: FrameKind.transferEnd.rawValue, payload: [9])
        #expect(welcomed.step(.frameReceived(link, end)).contains(.stopLink(link)), "a malformed one closes the connection")
    }

    @Test func anArtifactRequestGoesOutOnlyOnTheOrdersCurrentLink() throws {
        var session = SessionCoreHarness(highestSeenTerm: 5)
        let link = session.welcomed(term: 5)
        let request = ArtifactRequest(sha256: Self.sha, offset: 40)
        let sent = session.step(.requestArtifact(request, on: link))
        guard case let .send(frame, _, on)? = sent.first else { Issue.record("nothing sent: \(sent)"); return }
        #expect(on == link && frame.kind == FrameKind.artifactRequest.rawValue)
        #expect(try ArtifactRequestCodec.decodeRequest(frame.payload) == request)

        session.step(.linkDisconnected(link, reason: .peerClosed))
        #expect(session.step(.requestArtifact(request, on: link)) == [
            .artifactRequestNotSent(on: link, reason: "the link the order came on is no longer the leader's session")])
    }

    @Test func aResultIsSentOnItsLinkWhileCurrentAndDroppedOnceTheLinkChanged() throws {
        var session = SessionCoreHarness(highestSeenTerm: 5)
        let link = session.welcomed(term: 5)
        let result = AgentCommandResult(commandID: 21, accepted: false, detail: "not taken: fetch failed")
        let sent = session.step(.moduleOrderFinished(result, on: link, installedVersions: ["web": "1.0.0"]))
        #expect(try commandResults(in: sent) == [result])

        let lost = session.step(.linkDisconnected(link, reason: .peerClosed))
        session.now = try #require(lost.moveTimer)
        session.step(.timerFired(.move))
        let next = try #require(session.core.link)
        session.step(.linkConnected(next))
        session.receive(welcome(term: 5))
        #expect(next != link)
        #expect(session.step(.moduleOrderFinished(result, on: link, installedVersions: ["web": "2.0.0"])).isEmpty)
        #expect(session.core.hello().moduleVersions == ["web": "2.0.0"], "the next hello names the installed version")
    }

    @Test func helloNamesInstalledVersionsBeforeWatchedOnes() {
        let session = SessionCoreHarness { configuration in
            configuration.modules = [ModuleWatch(name: "web", pidFile: "/run/web.pid", version: "0.9"),
                                     ModuleWatch(name: "db", pidFile: "/run/db.pid", version: "5")]
        }
        var core = session.core
        core.installedVersions = ["web": "1.0.0"]
        #expect(core.hello().moduleVersions == ["web": "1.0.0", "db": "5"])
    }
}
