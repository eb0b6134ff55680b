@testable import Agent
import Observability
import Testing

/// The agent retries an enrollment no coordinator answered (a full bound closes connections
/// unanswered) inside the process, with a jittered exponential backoff and a bounded number of
/// attempts; an answer that refuses is final. Sleeps are recorded, not slept.
@Suite struct EnrollmentRetryTests {
    let logger = Logger(component: "enroll", minimumLevel: .error, sink: LogSink.capturing().0)

    @Test func anUnansweredEnrollmentIsRetriedWithAJitteredDoublingBackoffABoundedNumberOfTimes() {
        let retry = EnrollmentRetry()
        var attempts = 0
        var slept: [Duration] = []
        #expect(throws: EnrollmentError.self) {
            try retry.run(logger: logger, seed: 7, sleep: { slept.append($0) }) { () throws(EnrollmentError) in
                attempts += 1
                throw .unreachable(["127.0.0.1:7001: closed"])
            }
        }
        #expect(attempts == retry.attemptsMaximum)
        #expect(slept.count == retry.attemptsMaximum - 1)
        var ceiling = retry.delayInitial
        for delay in slept {
            #expect(delay >= ceiling / 2 && delay <= ceiling, "\(delay) outside [\(ceiling / 2), \(ceiling)]")
            ceiling = min(ceiling * 2, retry.delayMaximum)
        }
        #expect(slept.last.map { $0 >= retry.delayMaximum / 2 } == true, "the backoff never reached its maximum")
    }

    @Test func aRefusalIsFinalAndAnAnswerEndsTheRetries() throws {
        var slept: [Duration] = []
        #expect(throws: EnrollmentError.self) {
            try EnrollmentRetry().run(logger: logger, seed: 1, sleep: { slept.append($0) }) { () throws(EnrollmentError) in
                throw .refused(coordinator: "127.0.0.1:7001", reason: "join_token_refused")
            }
        }
        #expect(slept.isEmpty)
        var attempts = 0
        try EnrollmentRetry().run(logger: logger, seed: 1, sleep: { slept.append($0) }) { () throws(EnrollmentError) in
            attempts += 1
            if attempts < 3 { throw .unreachable([]) }
        }
        #expect(attempts == 3 && slept.count == 2)
    }
}
