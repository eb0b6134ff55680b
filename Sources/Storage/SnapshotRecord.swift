/// A state-machine snapshot covering every entry up to and including `index`,
/// with the cluster membership at that point as an opaque blob.
public struct SnapshotRecord: Sendable, Equatable {
    public var index: UInt64
    public var term: UInt64
    /// The membership at `index`, encoded by the caller.
    public var configuration: [UInt8]
    public var data: [UInt8]

    public init(index: UInt64, term: UInt64, configuration: [UInt8], data: [UInt8]) {
        self.index = index
        self.term = term
        self.configuration = configuration
        self.data = data
    }
}

extension SnapshotRecord {
    /// The largest body the write-ahead log keeps: `bodyFixedBytes`, the configuration and the data.
    public static let bodyBytesMaximum = SnapshotFile.bodySizeMaximumBytes
    /// The body bytes besides the configuration and the data (index, term, configuration length).
    public static let bodyFixedBytes = SnapshotFile.bodyFixedBytes

    /// This record's body size, which must be at most `bodyBytesMaximum`.
    public var bodyBytes: Int { Self.bodyFixedBytes + configuration.count + data.count }
}
