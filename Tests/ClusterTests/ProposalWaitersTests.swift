import Cluster
import Fleet
import Primitives
import Testing

@Suite struct ProposalWaitersTests {
    static let start = MonotonicInstant(nanoseconds: 1_000_000_000)
    static func at(_ milliseconds: Int64) -> MonotonicInstant { start.advanced(by: .milliseconds(milliseconds)) }

    @Test func aLocalWriteIsAnsweredWithItsOutcomeOnlyInItsOwnTerm() {
        let recorder = OutcomeRecorder()
        var waiters = ProposalWaiters()
        waiters.addLocal(index: 5, term: 2, deadline: Self.at(100), completion: recorder.completion("same"))
        waiters.addLocal(index: 6, term: 2, deadline: Self.at(100), completion: recorder.completion("other"))
        #expect(waiters.count == 2)
        let outcome = FleetOutcome.environmentDeleted(name: "prod")
        waiters.resolve(index: 5, term: 2, outcome: outcome)?()
        waiters.resolve(index: 6, term: 3, outcome: outcome)?()
        let unwaited = waiters.resolve(index: 7, term: 2, outcome: outcome)
        #expect(unwaited == nil, "nobody waits on index 7")
        #expect(recorder.outcomes("same") == [.applied(outcome)])
        #expect(recorder.outcomes("other") == [.refused(.writeLost)], "another term's entry took index 6")
        #expect(waiters.count == 0)
    }

    @Test func aSecondWaiterOnAnIndexLosesTheFirst() {
        let recorder = OutcomeRecorder()
        var waiters = ProposalWaiters()
        waiters.addLocal(index: 5, term: 2, deadline: Self.at(100), completion: recorder.completion("first"))
        waiters.addLocal(index: 5, term: 3, deadline: Self.at(100), completion: recorder.completion("second"))
        #expect(recorder.outcomes("first") == [.refused(.writeLost)])
        #expect(waiters.count == 1)
    }

    @Test func waitersPastTheirDeadlineTimeOut() {
        let recorder = OutcomeRecorder()
        var waiters = ProposalWaiters()
        waiters.addLocal(index: 1, term: 1, deadline: Self.at(10), completion: recorder.completion("local"))
        waiters.addTransfer(target: 7, deadline: Self.at(10), completion: recorder.completion("transfer"))
        waiters.addLocal(index: 2, term: 1, deadline: Self.at(20), completion: recorder.completion("later"))
        waiters.expire(now: Self.at(9))
        #expect(waiters.count == 3)
        waiters.expire(now: Self.at(10))
        #expect(recorder.outcomes("local") == [.refused(.commitTimeout)])
        #expect(recorder.outcomes("transfer") == [.refused(.transferTimeout)])
        #expect(recorder.outcomes("later").isEmpty)
        #expect(waiters.count == 1)
    }

    @Test func aLeaderChangeAnswersTransfers() {
        let recorder = OutcomeRecorder()
        var waiters = ProposalWaiters()
        waiters.addTransfer(target: 7, deadline: Self.at(100), completion: recorder.completion("to7"))
        waiters.addTransfer(target: 8, deadline: Self.at(100), completion: recorder.completion("to8"))
        waiters.leaderChanged(to: .none, name: "(none)", term: 4)
        #expect(recorder.outcomes("to7").isEmpty, "transfers wait for a leader")
        waiters.leaderChanged(to: 7, name: "c7", term: 5)
        #expect(recorder.outcomes("to7") == [.leader(name: "c7", term: 5)])
        #expect(recorder.outcomes("to8") == [.refused(.transferFailed(newLeader: "c7"))])
        #expect(waiters.count == 0)
    }

    @Test func failAllAnswersEveryWaiterOnce() {
        let recorder = OutcomeRecorder()
        var waiters = ProposalWaiters()
        waiters.addLocal(index: 1, term: 1, deadline: Self.at(10), completion: recorder.completion("all"))
        waiters.addTransfer(target: 2, deadline: Self.at(10), completion: recorder.completion("all"))
        waiters.failAll(with: .noLeader("stopping"))
        waiters.failAll(with: .noLeader("stopping"))
        #expect(recorder.outcomes("all") == Array(repeating: .refused(.noLeader("stopping")), count: 2))
        #expect(waiters.count == 0)
    }
}
