import Cluster
import Primitives
import Testing
import TestSupport

/// A forwarded request's payload: the follower's request id, then the request. A leader that
/// cannot decode the request — the follower runs a newer build — answers that id at once.
@Suite struct ForwardedRequestTests {
    @Test(arguments: ClusterRequestTests.every)
    func everyRequestDecodesWithItsID(request: ClusterRequest) throws {
        let forwarded = ForwardedRequest(requestID: 0xFEED_0000_0000_0042, request: request)
        #expect(try ForwardedRequest.decode(forwarded.encoded) == forwarded)
        expectEveryShorterPrefixTruncated(forwarded.encoded, ForwardedRequest.decode)
    }

    /// What a newer build might send: a request tag, or a gateway query tag, this build does not know.
    static let newer: [[UInt8]] = [[0xF0, 1, 2, 3], [5, 0xF0], ClusterRequest.removeMember(name: "c3").encoded + [0]]

    @Test(arguments: newer)
    func aRequestThisBuildCannotDecodeIsRefusedUnderItsID(request: [UInt8]) throws {
        var writer = BinaryWriter()
        writer.write(UInt64(0xABCD))
        let payload = writer.bytes + request
        let error = try #require(throws: BinaryDecodingError.self) { try ForwardedRequest.decode(payload) }
        let answer = try #require(ForwardedRequest.undecodable(payload, error: error))
        #expect(answer == ForwardedAnswer(requestID: 0xABCD, outcome: .refused(.undecodableWrite(detail: "\(error)"))))
        #expect(try ForwardedAnswer.decode(answer.encoded) == answer, "the follower reads the refusal")
    }

    @Test func sevenBytesNameNoRequest() {
        #expect(ForwardedRequest.undecodable([0, 0, 0, 0, 0, 0, 1], error: .truncated(offset: 0)) == nil)
    }
}
