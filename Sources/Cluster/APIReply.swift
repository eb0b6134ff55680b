import Transport
import Wire

/// A finished API answer — status, JSON body, optional Retry-After — that can
/// cross threads and the peer link (a forwarded write's answer is rendered by
/// the leader and relayed verbatim by the follower).
struct APIReply: Sendable, Equatable {
    var status: Int
    var body: [UInt8]
    var retryAfterSeconds: Int?

    static func json(_ status: Int, _ text: String) -> APIReply {
        APIReply(status: status, body: Array(text.utf8), retryAfterSeconds: nil)
    }

    static func error(_ status: Int, _ code: String, _ message: String, retryAfterSeconds: Int? = nil) -> APIReply {
        APIReply(status: status, body: JSONText.errorBody(code: code, message: message), retryAfterSeconds: retryAfterSeconds)
    }

    static func noLeader(_ detail: String) -> APIReply {
        .error(503, "no_leader", detail, retryAfterSeconds: 1)
    }

    func encoded(requestID: UInt64) -> [UInt8] {
        var writer = BinaryWriter()
        writer.write(requestID)
        writer.write(UInt32(status))
        writer.write(UInt32(retryAfterSeconds ?? 0))
        writer.writeLengthPrefixed(body)
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) throws(BinaryDecodingError) -> (UInt64, APIReply) {
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

extension HTTPResponder {
    func send(_ reply: APIReply, consistency: ReadConsistency? = nil) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        if let consistency { headers.add(name: ReadConsistency.headerName, value: consistency.rawValue) }
        if let retry = reply.retryAfterSeconds { headers.add(name: "Retry-After", value: String(retry)) }
        send(status: reply.status, headers: headers, body: reply.body)
    }
}
