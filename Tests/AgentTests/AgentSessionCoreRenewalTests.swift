@testable import Agent
import Telemetry
import Observability
import Testing
import Transport
import Wire

/// The session core's part in certificate renewal: a renewal answer reaches the renewer only on the
/// welcomed link, and renewed credentials replace the welcomed connection with one to the same coordinator.
@Suite struct AgentSessionCoreRenewalTests {
    static let answer = Frame(kind: FrameKind.certificateRenewalAnswer.rawValue,
                              payload: EnrollmentCodec.encode(EnrollmentAnswer.refused("renewal refused: test")))

    @Test func anAnswerOnTheWelcomedLinkIsHandedToTheRenewer() {
        var session = SessionCoreHarness(highestSeenTerm: 1)
        _ = session.welcomed(term: 1)
        #expect(session.receive(Self.answer) == [.deliverRenewalAnswer(Self.answer.payload)])
    }

    @Test func anAnswerBeforeWelcomeClosesTheConnection() {
        var session = SessionCoreHarness(highestSeenTerm: 1)
        let link = session.startConnected()
        let acted = session.step(.frameReceived(link, Self.answer))
        #expect(acted.contains(.stopLink(link)))
        #expect(!acted.contains(.deliverRenewalAnswer(Self.answer.payload)))
    }

    @Test func renewedCredentialsRedialTheSameCoordinatorAtOnce() {
        var session = SessionCoreHarness(highestSeenTerm: 1)
        let link = session.welcomed(term: 1)
        let target = session.core.target
        let acted = session.step(.renewalReconnect(.certificateRenewed))
        #expect(acted.contains(.stopLink(link)))
        #expect(acted.dialled == [target])
        #expect(session.core.phase == .connecting)
    }

    @Test func renewedCredentialsOfAStoppedSessionDoNothing() {
        var session = SessionCoreHarness(highestSeenTerm: 1)
        #expect(session.step(.renewalReconnect(.certificateRenewed)).isEmpty)
    }

    /// The log says why the connection is replaced: only a renewed certificate is called one.
    @Test(arguments: [RenewalReconnect.certificateRenewed, .sessionResumed, .answerOverdue, .installFailed])
    func aRenewalReconnectLogsItsReason(reason: RenewalReconnect) {
        let (sink, capture) = LogSink.capturing()
        var session = SessionCoreHarness(highestSeenTerm: 1, logSink: sink)
        _ = session.welcomed(term: 1)
        session.step(.renewalReconnect(reason))
        let lines = capture.lines.filter { $0.contains("reconnecting") }
        #expect(lines.count == 1 && lines[0].contains(reason.logMessage), "\(lines)")
        #expect(lines.contains { $0.contains("renewed certificate") } == (reason == .certificateRenewed))
    }
}
