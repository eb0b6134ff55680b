/// One message on a peer or agent stream: a protocol version, a kind tag that says how to read
/// the payload, and the payload itself.
public struct Frame: Equatable, Sendable {
    /// The version this build writes.
    public static let currentVersion: UInt8 = 1
    /// Bytes in front of the payload: the 4-byte length, the version byte and the kind byte.
    public static let headerBytes = 6
    /// Bytes of the big-endian length field that starts every frame.
    static let lengthFieldBytes = 4
    /// Bytes counted by the length field besides the payload: version and kind.
    static let lengthCoveredHeaderBytes = headerBytes - lengthFieldBytes

    public var version: UInt8
    public var kind: UInt8
    public var payload: [UInt8]

    /// The value of this frame's length field, the size a receiver's
    /// `frameSizeMaximumBytes` is compared with.
    public var declaredBytes: Int { payload.count + Self.lengthCoveredHeaderBytes }

    public init(kind: UInt8, payload: [UInt8], version: UInt8 = Frame.currentVersion) {
        self.version = version
        self.kind = kind
        self.payload = payload
    }
}
