import Cluster
import Fleet
import Testing

/// A request naming what nothing can be is answered as the leader answers it, without asking it:
/// so a name over the request codec's bound is never forwarded (the leader could not decode it).
@Suite struct ClusterRequestNamesTests {
    static let overlong = String(repeating: "n", count: ClusterRequest.nameBytesMaximum + 1)
    static let context = AuditContext(user: "alice", role: .admin, source: "127.0.0.1", atMilliseconds: 42)

    @Test(arguments: ClusterRequestTests.every)
    func validNamesGoToTheLeader(request: ClusterRequest) {
        #expect(request.answerForInvalidName == nil)
    }

    @Test(arguments: [ClusterRequestNamesTests.overlong, "", "bad/name", "-dash-first"])
    func invalidNamesAreAnsweredAsTheLeaderAnswersThem(name: String) {
        let expected: [(ClusterRequest, ClusterOutcome)] = [
            (.transferLeadership(to: name), .refused(.notVotingMember(name: name))),
            (.addMember(name: name, peerAddress: "127.0.0.1:7004"), .refused(.invalidMemberName(name))),
            (.removeMember(name: name), .refused(.notMember(name: name))),
            (.gatewayQuery(.node(id: name)), .refused(.nodeNotFound(id: name))),
            (.gatewayQuery(.metrics(id: name, sinceMilliseconds: 0)), .refused(.nodeNotFound(id: name))),
            (.gatewayQuery(.environment(name: name)), .refused(.environmentNotFound(name: name))),
            (.revokeNode(name: name), .applied(.rejected(.invalidNode(NodeRevocation.invalidNodeReason)))),
            (.removeNode(id: name), .applied(.rejected(.unknownNode(name)))),
        ]
        for (request, outcome) in expected {
            #expect(request.answerForInvalidName == outcome, "\(request)")
            #expect(ClusterRequest.audited(Self.context, request).answerForInvalidName == outcome, "audited \(request)")
        }
    }

    @Test func aPeerAddressThatDoesNotParseIsAnsweredAsTheLeaderAnswersIt() {
        // A valid name of 253 characters, but with its port longer than the request codec reads.
        let label = String(repeating: "a", count: 63)
        let longest = [label, label, label, String(repeating: "b", count: 61)].joined(separator: ".")
        for address in [Self.overlong + ":1", "127.0.0.1", "host_example:1", "host.example:0", "", longest + ":7004"] {
            #expect(ClusterRequest.addMember(name: "c4", peerAddress: address).answerForInvalidName
                == .refused(.invalidPeerAddress(address)), "\(address)")
        }
        #expect(ClusterRequest.addMember(name: "c4", peerAddress: "[::1]:7004").answerForInvalidName == nil)
        // A host name is resolved by each member at each dial.
        #expect(ClusterRequest.addMember(name: "c4", peerAddress: "hotswap-3.hotswap-peer:7004").answerForInvalidName == nil)
    }

    @Test func anEnvironmentNameIsHeldToTheEnvironmentRule() {
        #expect(ClusterRequest.gatewayQuery(.environment(name: "Prod")).answerForInvalidName
            == .refused(.environmentNotFound(name: "Prod")))
        #expect(ClusterRequest.write([1]).answerForInvalidName == nil)
    }
}
