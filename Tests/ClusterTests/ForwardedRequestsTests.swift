import Cluster
import Fleet
import Primitives
import Testing

@Suite struct ForwardedRequestsTests {
    static let start = MonotonicInstant(nanoseconds: 1_000_000_000)
    static func at(_ milliseconds: Int64) -> MonotonicInstant { start.advanced(by: .milliseconds(milliseconds)) }
    static let removed = ClusterOutcome.applied(.memberDeleted(name: "c3"))
    static let deleted = ClusterOutcome.applied(.environmentDeleted(name: "qa"))

    @Test func eachRequestGetsItsOwnIdAndOnlyItsAnswer() {
        let recorder = OutcomeRecorder()
        var forwarded = ForwardedRequests()
        let first = forwarded.add(deadline: Self.at(100), endsWithLeaderChange: true, completion: recorder.completion("first"))
        let second = forwarded.add(deadline: Self.at(100), endsWithLeaderChange: true, completion: recorder.completion("second"))
        #expect(first != second && forwarded.count == 2)
        forwarded.resolve(requestID: second, outcome: Self.removed)
        forwarded.resolve(requestID: second, outcome: Self.deleted)
        forwarded.resolve(requestID: 99, outcome: Self.deleted)
        #expect(recorder.outcomes("second") == [Self.removed], "a second answer, or one for no request, is dropped")
        #expect(recorder.outcomes("first").isEmpty && forwarded.count == 1)
    }

    @Test func aLeaderChangeEndsWritesAndQueriesButNotTransfers() {
        let recorder = OutcomeRecorder()
        var forwarded = ForwardedRequests()
        _ = forwarded.add(deadline: Self.at(100), endsWithLeaderChange: true, completion: recorder.completion("write"))
        let transfer = forwarded.add(deadline: Self.at(100), endsWithLeaderChange: false, completion: recorder.completion("transfer"))
        forwarded.leaderChanged()
        #expect(recorder.outcomes("write") == [.refused(.leaderChanged)])
        #expect(recorder.outcomes("transfer").isEmpty)
        forwarded.resolve(requestID: transfer, outcome: Self.deleted)
        #expect(recorder.outcomes("transfer") == [Self.deleted] && forwarded.count == 0)
    }

    @Test func requestsPastTheirDeadlineTimeOut() {
        let recorder = OutcomeRecorder()
        var forwarded = ForwardedRequests()
        _ = forwarded.add(deadline: Self.at(10), endsWithLeaderChange: false, completion: recorder.completion("early"))
        _ = forwarded.add(deadline: Self.at(20), endsWithLeaderChange: true, completion: recorder.completion("later"))
        forwarded.expire(now: Self.at(9))
        #expect(forwarded.count == 2)
        forwarded.expire(now: Self.at(10))
        #expect(recorder.outcomes("early") == [.refused(.commitTimeout)])
        #expect(recorder.outcomes("later").isEmpty && forwarded.count == 1)
    }

    @Test func failAllAnswersEveryRequestOnce() {
        let recorder = OutcomeRecorder()
        var forwarded = ForwardedRequests()
        _ = forwarded.add(deadline: Self.at(10), endsWithLeaderChange: false, completion: recorder.completion("all"))
        _ = forwarded.add(deadline: Self.at(10), endsWithLeaderChange: true, completion: recorder.completion("all"))
        forwarded.failAll(with: .noLeader("stopping"))
        forwarded.failAll(with: .noLeader("stopping"))
        #expect(recorder.outcomes("all") == Array(repeating: .refused(.noLeader("stopping")), count: 2))
        #expect(forwarded.count == 0)
    }
}
