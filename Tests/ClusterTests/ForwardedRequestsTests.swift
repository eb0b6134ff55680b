import Cluster
import Primitives
import Testing

@Suite struct ForwardedRequestsTests {
    static let start = MonotonicInstant(nanoseconds: 1_000_000_000)
    static func at(_ milliseconds: Int64) -> MonotonicInstant { start.advanced(by: .milliseconds(milliseconds)) }

    @Test func eachRequestGetsItsOwnIdAndOnlyItsAnswer() {
        let recorder = ReplyRecorder()
        var forwarded = ForwardedRequests()
        let first = forwarded.add(deadline: Self.at(100), endsWithLeaderChange: true, completion: recorder.completion("first"))
        let second = forwarded.add(deadline: Self.at(100), endsWithLeaderChange: true, completion: recorder.completion("second"))
        #expect(first != second && forwarded.count == 2)
        forwarded.resolve(requestID: second, reply: .json(201, "{}"))
        forwarded.resolve(requestID: second, reply: .json(200, "{}"))
        forwarded.resolve(requestID: 99, reply: .json(200, "{}"))
        #expect(recorder.replies("second") == [.json(201, "{}")], "a second answer, or one for no request, is dropped")
        #expect(recorder.replies("first").isEmpty && forwarded.count == 1)
    }

    @Test func aLeaderChangeEndsWritesAndQueriesButNotTransfers() {
        let recorder = ReplyRecorder()
        var forwarded = ForwardedRequests()
        _ = forwarded.add(deadline: Self.at(100), endsWithLeaderChange: true, completion: recorder.completion("write"))
        let transfer = forwarded.add(deadline: Self.at(100), endsWithLeaderChange: false, completion: recorder.completion("transfer"))
        forwarded.leaderChanged()
        #expect(recorder.replies("write") == [ForwardedRequests.leaderChanged])
        #expect(recorder.replies("transfer").isEmpty)
        forwarded.resolve(requestID: transfer, reply: .json(200, "{}"))
        #expect(recorder.replies("transfer") == [.json(200, "{}")] && forwarded.count == 0)
    }

    @Test func requestsPastTheirDeadlineTimeOut() {
        let recorder = ReplyRecorder()
        var forwarded = ForwardedRequests()
        _ = forwarded.add(deadline: Self.at(10), endsWithLeaderChange: false, completion: recorder.completion("early"))
        _ = forwarded.add(deadline: Self.at(20), endsWithLeaderChange: true, completion: recorder.completion("later"))
        forwarded.expire(now: Self.at(9))
        #expect(forwarded.count == 2)
        forwarded.expire(now: Self.at(10))
        #expect(recorder.replies("early") == [ProposalWaiters.timedOut])
        #expect(recorder.replies("later").isEmpty && forwarded.count == 1)
    }

    @Test func failAllAnswersEveryRequestOnce() {
        let recorder = ReplyRecorder()
        var forwarded = ForwardedRequests()
        _ = forwarded.add(deadline: Self.at(10), endsWithLeaderChange: false, completion: recorder.completion("all"))
        _ = forwarded.add(deadline: Self.at(10), endsWithLeaderChange: true, completion: recorder.completion("all"))
        let stopping = APIReply.noLeader("stopping")
        forwarded.failAll(with: stopping)
        forwarded.failAll(with: stopping)
        #expect(recorder.replies("all") == [stopping, stopping] && forwarded.count == 0)
    }
}
