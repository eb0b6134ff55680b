import Storage

enum Fixtures {
    /// An entry whose data is recognisably its own (index-derived bytes).
    static func entry(_ index: UInt64, term: UInt64, dataBytes: Int = 24) -> LogEntryRecord {
        LogEntryRecord(
            index: index, term: term, kind: UInt8(index % 3),
            data: (0..<dataBytes).map { UInt8(truncatingIfNeeded: Int(index) &* 31 &+ $0 &* 7 &+ Int(term)) }
        )
    }

    static func entries(_ indices: ClosedRange<UInt64>, term: UInt64, dataBytes: Int = 24) -> [LogEntryRecord] {
        indices.map { entry($0, term: term, dataBytes: dataBytes) }
    }

    /// Frame sizes, computed from the documented format (not from the code).
    static let frameHeaderBytes = 8
    static func entryFrameBytes(dataBytes: Int) -> Int { frameHeaderBytes + 1 + 17 + dataBytes }
    static let hardStateFrameBytes = 8 + 1 + 24
    static let segmentHeaderFrameBytes = 8 + 1 + 12
    static let batchHeaderFrameBytes = 8 + 1 + 16

    static let smallSegmentBytes = 1024

    /// Index and term of each entry, short enough for a failure message.
    static func summary(_ entries: [LogEntryRecord]) -> String {
        entries.map { "\($0.index)@\($0.term)" }.joined(separator: " ")
    }
}
