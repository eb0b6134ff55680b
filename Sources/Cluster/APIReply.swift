import Primitives
import Wire

/// A finished API answer — status, JSON body, optional Retry-After — that can
/// cross threads and the peer link (a forwarded write's answer is rendered by
/// the leader and relayed verbatim by the follower).
public struct APIReply: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]
    public var retryAfterSeconds: Int?

    public init(status: Int, body: [UInt8], retryAfterSeconds: Int?) {
        self.status = status
        self.body = body
        self.retryAfterSeconds = retryAfterSeconds
    }

    public static func json(_ status: Int, _ text: String) -> APIReply {
        APIReply(status: status, body: Array(text.utf8), retryAfterSeconds: nil)
    }

    public static func error(_ status: Int, _ code: String, _ message: String, retryAfterSeconds: Int? = nil) -> APIReply {
        APIReply(status: status, body: JSONText.errorBody(code: code, message: message), retryAfterSeconds: retryAfterSeconds)
    }

    public static func noLeader(_ detail: String) -> APIReply {
        .error(503, "no_leader", detail, retryAfterSeconds: 1)
    }

    public func encoded(requestID: UInt64) -> [UInt8] {
        var writer = BinaryWriter()
        writer.write(requestID)
        writer.write(UInt32(status))
        writer.write(UInt32(retryAfterSeconds ?? 0))
        writer.writeLengthPrefixed(body)
        return writer.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(BinaryDecodingError) -> (UInt64, APIReply) {
        var reader = BinaryReader(bytes)
        let requestID = try reader.readUInt64()
        let status = Int(try reader.readUInt32())
        let retry = Int(try reader.readUInt32())
        let body = try reader.readLengthPrefixed(maximumBytes: FrameCodec.frameSizeMaximumBytesDefault)
        try reader.expectEnd()
        guard (100...599).contains(status) else { throw .invalidValue(offset: 8, detail: "HTTP status \(status)") }
        return (requestID, APIReply(status: status, body: body, retryAfterSeconds: retry == 0 ? nil : retry))
    }
}
