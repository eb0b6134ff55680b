import Primitives
import Wire

/// A keepalive ping's payload: a marker, so the link can tell its own pongs
/// from its user's, the monotonic send time the pong echoes back, and the
/// link's advertisement (empty from builds before advertisements, whose links
/// take a pong only of exactly the marker and the time: they never see ours).
enum KeepalivePayload {
    static let marker = Array("hotswap-keepalive".utf8)
    static let fixedBytes = marker.count + 8

    static func make(at instant: MonotonicInstant, advertisement: [UInt8]) -> [UInt8] {
        precondition(advertisement.count <= FrameLink.keepaliveAdvertisementBytesMaximum,
                     "a keepalive advertisement is at most \(FrameLink.keepaliveAdvertisementBytesMaximum) bytes")
        var writer = BinaryWriter()
        writer.write(instant.nanoseconds)
        return marker + writer.bytes + advertisement
    }

    static func sentAt(inPong frame: Frame) -> UInt64? {
        guard frame.kind == FrameKind.pong.rawValue, advertisement(in: frame.payload) != nil else { return nil }
        // The length was checked: the eight bytes after the marker are the big-endian send time.
        return frame.payload[marker.count..<fixedBytes].reduce(0) { $0 << 8 | UInt64($1) }
    }

    static func advertisement(in payload: [UInt8]) -> [UInt8]? {
        guard payload.count >= fixedBytes, payload.count - fixedBytes <= FrameLink.keepaliveAdvertisementBytesMaximum,
              payload.starts(with: marker) else { return nil }
        return Array(payload[fixedBytes...])
    }
}
