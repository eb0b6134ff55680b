/// What a log entry carries: an application command or a membership change.
public enum EntryKind: UInt8, Sendable, Equatable {
    case normal = 0
    case configChange = 1
}

/// One slot of the replicated log. Entries are immutable once committed.
public struct Entry: Sendable, Equatable {
    /// Bytes counted for an entry beyond its data (term, index, kind) in size limits.
    public static let overheadBytes = 24

    public var term: UInt64
    public var index: UInt64
    public var kind: EntryKind
    public var data: [UInt8]

    public init(term: UInt64, index: UInt64, kind: EntryKind = .normal, data: [UInt8] = []) {
        self.term = term
        self.index = index
        self.kind = kind
        self.data = data
    }

    /// The size charged against message, in-flight and uncommitted byte limits.
    public var sizeBytes: Int { data.count + Entry.overheadBytes }
}
