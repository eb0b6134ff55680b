import Primitives

/// A request as a follower forwards it to the leader, the payload of a `forwardProposal` frame:
/// the follower's 8-byte request id, then the `ClusterRequest`. Every build sends the id first,
/// so a leader that cannot decode the rest — a follower of a newer build asking for something
/// this build does not know — still answers that id (`undecodable`) instead of leaving the
/// follower to wait for its timeout.
public struct ForwardedRequest: Sendable, Equatable {
    public var requestID: UInt64
    public var request: ClusterRequest

    public init(requestID: UInt64, request: ClusterRequest) {
        self.requestID = requestID
        self.request = request
    }

    public var encoded: [UInt8] {
        var writer = BinaryWriter()
        writer.write(requestID)
        return writer.bytes + request.encoded
    }

    public static func decode(_ payload: [UInt8]) throws(BinaryDecodingError) -> ForwardedRequest {
        var reader = BinaryReader(payload)
        let requestID = try reader.readUInt64()
        let request = try ClusterRequest.decode(&reader)
        try reader.expectEnd()
        return ForwardedRequest(requestID: requestID, request: request)
    }

    /// The leader's answer to a payload `decode` refused with `error`: the request its leading id
    /// names, refused as one this build cannot decode. The refusal is `undecodableWrite`, a kind
    /// that older builds know too, so the follower decodes it whichever side is newer; its route
    /// renders it 501. Nil when the bytes are too few to name a request.
    public static func undecodable(_ payload: [UInt8], error: BinaryDecodingError) -> ForwardedAnswer? {
        var reader = BinaryReader(payload)
        let requestID: UInt64
        do throws(BinaryDecodingError) { requestID = try reader.readUInt64() } catch { return nil }
        return ForwardedAnswer(requestID: requestID, outcome: .refused(.undecodableWrite(detail: "\(error)")))
    }
}
