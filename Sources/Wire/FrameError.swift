/// Why a `FrameDecoder` gave up on a stream. Every case is fatal for the connection: the
/// stream can no longer be split into frames reliably.
public enum FrameError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The length field declares more bytes than the receiver accepts.
    case oversized(declaredBytes: Int, maximumBytes: Int)
    /// The version byte is outside the receiver's supported range.
    case unsupportedVersion(UInt8)
    /// The length field is smaller than the version and kind bytes it must cover.
    case truncatedHeader

    public var description: String {
        switch self {
        case let .oversized(declaredBytes, maximumBytes):
            "frame declares \(declaredBytes) bytes but at most \(maximumBytes) are accepted; "
                + "split the payload or raise frameSizeMaximumBytes on the receiver"
        case let .unsupportedVersion(version):
            "frame version \(version) is not supported by this receiver; "
                + "upgrade the receiver or make the sender write a supported version"
        case .truncatedHeader:
            "frame length is smaller than its \(Frame.lengthCoveredHeaderBytes) header bytes; "
                + "the sender is not speaking this frame protocol"
        }
    }
}
