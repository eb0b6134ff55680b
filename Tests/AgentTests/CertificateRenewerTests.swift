@testable import Agent
import Telemetry
import Testing

/// The agent's renewal paths that wait or reconnect (Docs/CERTIFICATES.md, "Renewal"), on an embedded
/// loop: no request on a resumed session, a backoff after a certificate that could not be installed,
/// and a replaced connection when the answer is overdue. The certificate on disk is a real one in its
/// renewal window, so each request is the renewer's own decision.
@Suite struct CertificateRenewerTests {
    /// On a resumed session the renewer asks nothing: it reconnects (the session drops the ticket)
    /// and asks once the connection it is given is a full handshake.
    @Test func aResumedSessionIsReplacedBeforeAsking() throws {
        let harness = try RenewerHarness()
        harness.link.isResumed = true
        harness.renewer.start()
        harness.embedded.run()
        #expect(harness.link.requestsSent == 0)
        #expect(harness.record.reconnects == [.sessionResumed])
        harness.link.isResumed = false
        harness.advance(by: harness.configuration.renewal.retryDelay)
        #expect(harness.link.requestsSent == 1)
        #expect(harness.record.reconnects == [.sessionResumed])
        harness.renewer.stop()
    }

    /// An issued certificate the agent cannot install waits 1 minute, then 2, 4, ... up to an hour
    /// (with the jitter at its top), each time on a new connection.
    @Test func anUninstallableCertificateBacksOffDoublingToAnHour() throws {
        let harness = try RenewerHarness()
        harness.renewer.start()
        harness.embedded.run()
        #expect(harness.link.requestsSent == 1)
        let unusable = try harness.unusableCertificate()
        let expectedSeconds: [Int64] = [60, 120, 240, 480, 960, 1_920, 3_600, 3_600]
        for (failures, seconds) in expectedSeconds.enumerated() {
            harness.answer(unusable)
            #expect(harness.record.reconnects == Array(repeating: .installFailed, count: failures + 1),
                    "a new connection after failure \(failures + 1)")
            harness.advance(by: .seconds(seconds - 1))
            #expect(harness.link.requestsSent == failures + 1, "asked again before \(seconds) s")
            harness.advance(by: .seconds(1))
            #expect(harness.link.requestsSent == failures + 2, "did not ask again after \(seconds) s")
        }
        harness.renewer.stop()
    }

    /// The jitter draws each wait down to as little as half: no fleet retries in step.
    @Test func theBackoffIsJitteredDownToHalf() throws {
        let harness = try RenewerHarness()
        harness.record.jitter = 0
        harness.renewer.start()
        harness.embedded.run()
        harness.answer(try harness.unusableCertificate())
        harness.advance(by: .seconds(29))
        #expect(harness.link.requestsSent == 1)
        harness.advance(by: .seconds(1))
        #expect(harness.link.requestsSent == 2)
        harness.renewer.stop()
    }

    /// No answer within 30 s replaces the connection, a late answer is not taken for anything, and
    /// the next request goes out after the retry delay.
    @Test func anOverdueAnswerReplacesTheConnection() throws {
        let harness = try RenewerHarness()
        harness.renewer.start()
        harness.embedded.run()
        #expect(harness.link.requestsSent == 1)
        harness.advance(by: harness.configuration.renewal.answerTimeout - .seconds(1))
        #expect(harness.record.reconnects.isEmpty)
        harness.advance(by: .seconds(1))
        #expect(harness.record.reconnects == [.answerOverdue])
        harness.answer(try harness.unusableCertificate())
        #expect(harness.record.reconnects == [.answerOverdue], "a late answer was taken for a request")
        #expect(harness.capture.lines.contains { $0.contains("an answer no request is waiting for") })
        harness.advance(by: harness.configuration.renewal.retryDelay)
        #expect(harness.link.requestsSent == 2)
        harness.renewer.stop()
    }
}
