import Cluster
import Fleet
import Primitives
import Testing
import TestSupport
import Wire

@Suite struct ClusterRequestTests {
    static let every: [ClusterRequest] = [
        .write([1, 2, 3]), .write([]), .transferLeadership(to: "c2"), .addMember(name: "c4", peerAddress: "127.0.0.1:7004"),
        .removeMember(name: "c3"), .gatewayQuery(.nodes), .gatewayQuery(.node(id: "web-1")),
        .gatewayQuery(.metrics(id: "web-1", sinceMilliseconds: 1_800_000_000_000)), .gatewayQuery(.environment(name: "prod")),
        .revokeNode(name: "web-1"), .removeNode(id: "web-2"),
        .gatewayQuery(.leaderView),
        .audited(AuditContext(user: "alice", role: .admin, source: "10.0.0.9", atMilliseconds: 42), .revokeNode(name: "web-1")),
        .audited(AuditContext(user: "bob", role: nil, source: nil, atMilliseconds: 0), .addMember(name: "c4", peerAddress: "127.0.0.1:7")),
        .audited(AuditContext(user: "carol", role: .viewer, source: "::1", atMilliseconds: .max), .write([9])),
    ]

    static func decode(_ bytes: [UInt8]) throws(BinaryDecodingError) -> ClusterRequest {
        var reader = BinaryReader(bytes)
        let request = try ClusterRequest.decode(&reader)
        try reader.expectEnd()
        return request
    }

    @Test(arguments: every)
    func everyRequestDecodesToItself(request: ClusterRequest) throws {
        #expect(try Self.decode(request.encoded) == request)
    }

    @Test(arguments: every)
    func everyShorterPrefixIsTruncated(request: ClusterRequest) {
        expectEveryShorterPrefixTruncated(request.encoded, Self.decode)
    }

    @Test func unknownTagsAreRefused() {
        #expect(throws: BinaryDecodingError.invalidValue(offset: 0, detail: "unknown cluster request")) { try Self.decode([0]) }
        #expect(throws: BinaryDecodingError.invalidValue(offset: 1, detail: "unknown gateway query")) { try Self.decode([5, 9]) }
    }

    @Test func namesOverTheBoundAreRefused() {
        let name = String(repeating: "n", count: ClusterRequest.nameBytesMaximum + 1)
        #expect(throws: BinaryDecodingError.fieldTooLarge(offset: 1, bytes: 257, maximumBytes: 256)) {
            try Self.decode(ClusterRequest.removeMember(name: name).encoded)
        }
        #expect(throws: BinaryDecodingError.fieldTooLarge(offset: 2, bytes: 257, maximumBytes: 256)) {
            try Self.decode(ClusterRequest.gatewayQuery(.node(id: name)).encoded)
        }
        for request in [ClusterRequest.revokeNode(name: name), .removeNode(id: name)] {
            #expect(throws: BinaryDecodingError.fieldTooLarge(offset: 1, bytes: 257, maximumBytes: 256)) {
                try Self.decode(request.encoded)
            }
        }
    }

    @Test func namesMustBeUTF8() {
        #expect(throws: BinaryDecodingError.invalidValue(offset: 5, detail: "string is not UTF-8")) {
            try Self.decode([3, 0, 0, 0, 1, 0xFF])
        }
    }

    @Test func anAuditedRequestCannotBeAuditedAgain() {
        let context = AuditContext(user: "alice", role: .admin, source: nil, atMilliseconds: 1)
        let twice = ClusterRequest.audited(context, .audited(context, .removeNode(id: "web-2"))).encoded
        #expect(throws: BinaryDecodingError.self) { try Self.decode(twice) }
    }

    @Test func onlyWritesAndQueriesEndWithALeaderChange() {
        let audit = AuditContext(user: "alice", role: .admin, source: nil, atMilliseconds: 1)
        let expected: [(ClusterRequest, Bool)] = [
            (.write([1]), true), (.gatewayQuery(.nodes), true), (.gatewayQuery(.environment(name: "prod")), true),
            (.revokeNode(name: "web-1"), true), (.removeNode(id: "web-2"), true),
            (.transferLeadership(to: "c2"), false), (.addMember(name: "c4", peerAddress: "127.0.0.1:7004"), false),
            (.removeMember(name: "c3"), false),
            (.audited(audit, .write([1])), true), (.audited(audit, .revokeNode(name: "web-1")), true),
            (.audited(audit, .addMember(name: "c4", peerAddress: "127.0.0.1:7")), false),
            (.audited(audit, .removeMember(name: "c3")), false),
        ]
        for (request, ends) in expected { #expect(request.endsWithLeaderChange == ends, "\(request)") }
        #expect(GatewayQuery.environment(name: "prod").readsReplicatedState)
        #expect(!GatewayQuery.nodes.readsReplicatedState)
    }
}
