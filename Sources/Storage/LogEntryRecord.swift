/// One Raft log entry as Storage keeps it: plain numbers and bytes, so that
/// Storage needs none of the consensus types (the coordinator converts).
public struct LogEntryRecord: Sendable, Equatable {
    public var index: UInt64
    public var term: UInt64
    /// The caller's entry type (normal, configuration change, ...), opaque here.
    public var kind: UInt8
    public var data: [UInt8]

    public init(index: UInt64, term: UInt64, kind: UInt8, data: [UInt8]) {
        self.index = index
        self.term = term
        self.kind = kind
        self.data = data
    }
}
