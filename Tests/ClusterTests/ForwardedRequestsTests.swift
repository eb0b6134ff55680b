import Cluster
import Consensus
import Fleet
import Primitives
import Testing

@Suite struct ForwardedRequestsTests {
    static let start = MonotonicInstant(nanoseconds: 1_000_000_000)
    static func at(_ milliseconds: Int64) -> MonotonicInstant { start.advanced(by: .milliseconds(milliseconds)) }
    static let removed = ClusterOutcome.applied(.memberDeleted(name: "c3"))
    static let deleted = ClusterOutcome.applied(.environmentDeleted(name: "qa"))
    static let leader: NodeID = 11
    static let otherPeer: NodeID = 12

    @Test func eachRequestGetsItsOwnIdAndOnlyItsAnswer() {
        let recorder = OutcomeRecorder()
        var forwarded = ForwardedRequests(firstRequestID: 1)
        let first = forwarded.add(leader: Self.leader, deadline: Self.at(100), endsWithLeaderChange: true,
                                  completion: recorder.completion("first"))
        let second = forwarded.add(leader: Self.leader, deadline: Self.at(100), endsWithLeaderChange: true,
                                   completion: recorder.completion("second"))
        #expect(first != second && forwarded.count == 2)
        forwarded.resolve(requestID: second, from: Self.leader, outcome: Self.removed)
        forwarded.resolve(requestID: second, from: Self.leader, outcome: Self.deleted)
        forwarded.resolve(requestID: 99, from: Self.leader, outcome: Self.deleted)
        #expect(recorder.outcomes("second") == [Self.removed], "a second answer, or one for no request, is dropped")
        #expect(recorder.outcomes("first").isEmpty && forwarded.count == 1)
    }

    @Test func aLeaderChangeEndsWritesAndQueriesButNotTransfers() {
        let recorder = OutcomeRecorder()
        var forwarded = ForwardedRequests(firstRequestID: 1)
        _ = forwarded.add(leader: Self.leader, deadline: Self.at(100), endsWithLeaderChange: true, completion: recorder.completion("write"))
        let transfer = forwarded.add(leader: Self.leader, deadline: Self.at(100), endsWithLeaderChange: false,
                                     completion: recorder.completion("transfer"))
        forwarded.leaderChanged()
        #expect(recorder.outcomes("write") == [.refused(.leaderChanged)])
        #expect(recorder.outcomes("transfer").isEmpty)
        forwarded.resolve(requestID: transfer, from: Self.leader, outcome: Self.deleted)
        #expect(recorder.outcomes("transfer") == [Self.deleted] && forwarded.count == 0)
    }

    @Test func requestsPastTheirDeadlineTimeOut() {
        let recorder = OutcomeRecorder()
        var forwarded = ForwardedRequests(firstRequestID: 1)
        _ = forwarded.add(leader: Self.leader, deadline: Self.at(10), endsWithLeaderChange: false, completion: recorder.completion("early"))
        _ = forwarded.add(leader: Self.leader, deadline: Self.at(20), endsWithLeaderChange: true, completion: recorder.completion("later"))
        forwarded.expire(now: Self.at(9))
        #expect(forwarded.count == 2)
        forwarded.expire(now: Self.at(10))
        #expect(recorder.outcomes("early") == [.refused(.commitTimeout)])
        #expect(recorder.outcomes("later").isEmpty && forwarded.count == 1)
    }

    @Test func failAllAnswersEveryRequestOnce() {
        let recorder = OutcomeRecorder()
        var forwarded = ForwardedRequests(firstRequestID: 1)
        _ = forwarded.add(leader: Self.leader, deadline: Self.at(10), endsWithLeaderChange: false, completion: recorder.completion("all"))
        _ = forwarded.add(leader: Self.leader, deadline: Self.at(10), endsWithLeaderChange: true, completion: recorder.completion("all"))
        forwarded.failAll(with: .noLeader("stopping"))
        forwarded.failAll(with: .noLeader("stopping"))
        #expect(recorder.outcomes("all") == Array(repeating: .refused(.noLeader("stopping")), count: 2))
        #expect(forwarded.count == 0)
    }

    @Test func idsStartWhereTheIncarnationSaysSoAnEarlierOnesAnswerFindsNoRequest() {
        let recorder = OutcomeRecorder()
        var earlier = ForwardedRequests(firstRequestID: 1)
        let earlierID = earlier.add(leader: Self.leader, deadline: Self.at(100), endsWithLeaderChange: true,
                                    completion: recorder.completion("earlier"))
        var restarted = ForwardedRequests(firstRequestID: 0x1234_5678_9ABC)
        let first = restarted.add(leader: Self.leader, deadline: Self.at(100), endsWithLeaderChange: true,
                                  completion: recorder.completion("restarted"))
        let second = restarted.add(leader: Self.leader, deadline: Self.at(100), endsWithLeaderChange: true,
                                   completion: recorder.completion("restarted"))
        #expect(first == 0x1234_5678_9ABC && second == first + 1)
        #expect(restarted.resolve(requestID: earlierID, from: Self.leader, outcome: Self.deleted) == .unknown)
        #expect(recorder.outcomes("restarted").isEmpty && restarted.count == 2)
    }

    @Test func anAnswerFromAnotherPeerThanTheLeaderItWentToIsDropped() {
        let recorder = OutcomeRecorder()
        var forwarded = ForwardedRequests(firstRequestID: 7)
        let id = forwarded.add(leader: Self.leader, deadline: Self.at(100), endsWithLeaderChange: true,
                               completion: recorder.completion("write"))
        #expect(forwarded.resolve(requestID: id, from: Self.otherPeer, outcome: Self.deleted) == .wrongSender(expected: Self.leader))
        #expect(recorder.outcomes("write").isEmpty && forwarded.count == 1, "the request waits on for its leader's answer")
        #expect(forwarded.resolve(requestID: id, from: Self.leader, outcome: Self.removed) == .resolved)
        #expect(recorder.outcomes("write") == [Self.removed] && forwarded.count == 0)
    }
}
