/// Writes frames in the wire format
/// `length: UInt32 big-endian | version: UInt8 | kind: UInt8 | payload`, where `length`
/// counts the bytes after the length field (version, kind and payload).
public enum FrameCodec {
    /// The default largest accepted value of the length field: 1 MiB.
    public static let frameSizeMaximumBytesDefault = 1 << 20

    /// Encodes `frame`. It does not check a size limit: the senders in
    /// Transport (`FrameChannel.send`, `FrameLink.send`) refuse a frame over
    /// the receiver's `frameSizeMaximumBytes` before encoding it.
    public static func encode(_ frame: Frame) -> [UInt8] {
        let declaredBytes = frame.declaredBytes
        precondition(
            declaredBytes <= Int(UInt32.max),
            "a frame payload of \(frame.payload.count) bytes does not fit a 32-bit length field"
        )
        let length = UInt32(declaredBytes)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Frame.headerBytes + frame.payload.count)
        bytes.append(UInt8(truncatingIfNeeded: length >> 24))
        bytes.append(UInt8(truncatingIfNeeded: length >> 16))
        bytes.append(UInt8(truncatingIfNeeded: length >> 8))
        bytes.append(UInt8(truncatingIfNeeded: length))
        bytes.append(frame.version)
        bytes.append(frame.kind)
        bytes.append(contentsOf: frame.payload)
        assert(bytes.count == Frame.headerBytes + frame.payload.count)
        return bytes
    }
}
