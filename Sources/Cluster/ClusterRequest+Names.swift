import Fleet
import Primitives

extension ClusterRequest {
    /// What the leader answers a request naming what no member, node or environment can be (an
    /// invalid name, a peer address that does not parse), given without asking it. A coordinator
    /// answers that itself: the request codec bounds a name at `nameBytesMaximum` bytes, so a
    /// follower forwarding a longer one would relay the leader's refusal to decode it (501
    /// `undecodable_request`, which blames an older build) instead of the answer the leader gives
    /// the same request. Nil: the request goes to the leader.
    public var answerForInvalidName: ClusterOutcome? {
        switch self {
        case .write:
            return nil
        case let .transferLeadership(name):
            return NodeName.isValid(name) ? nil : .refused(.notVotingMember(name: name))
        case let .addMember(name, peerAddress):
            guard NodeName.isValid(name) else { return .refused(.invalidMemberName(name)) }
            // A host name of the longest length and a port is longer than the codec reads.
            guard peerAddress.utf8.count <= Self.nameBytesMaximum else { return .refused(.invalidPeerAddress(peerAddress)) }
            do {
                _ = try HostPort(parsing: peerAddress, flag: "peerAddress")
                return nil
            } catch {
                return .refused(.invalidPeerAddress(peerAddress))
            }
        case let .removeMember(name):
            return NodeName.isValid(name) ? nil : .refused(.notMember(name: name))
        case let .gatewayQuery(query):
            return query.answerForInvalidName
        case let .revokeNode(name):
            return NodeRevocation.isValidNode(name) ? nil : .applied(.rejected(.invalidNode(NodeRevocation.invalidNodeReason)))
        case let .removeNode(id):
            return NodeRevocation.isValidNode(id) ? nil : .applied(.rejected(.unknownNode(id)))
        case let .audited(_, request):
            // Refused before it is proposed, so it leaves no audit record (Docs/AUDIT.md).
            return request.answerForInvalidName
        }
    }
}

extension GatewayQuery {
    /// What the leader answers a query for a node or environment no valid name names; nil: ask it.
    var answerForInvalidName: ClusterOutcome? {
        switch self {
        case .nodes, .leaderView:
            return nil
        case let .node(id), let .metrics(id, _):
            return NodeRevocation.isValidNode(id) ? nil : .refused(.nodeNotFound(id: id))
        case let .environment(name):
            return EnvironmentRecord.isValidName(name) ? nil : .refused(.environmentNotFound(name: name))
        }
    }
}
