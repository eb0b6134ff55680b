/// The records of one write-ahead-log segment, located with the documented
/// frame format `length u32 LE | crc32c u32 LE | type u8 | payload`
/// (Docs/STORAGE.md). Read here, independently of the Storage module, so the
/// recovery tests check the format on disk rather than trust the parser under test.
struct SegmentFrame: Equatable, Sendable {
    /// Bytes before the type byte: length and checksum.
    static let headerBytes = 8
    /// Record types from the format table.
    static let entryType: UInt8 = 2
    static let hardStateType: UInt8 = 3
    static let batchHeaderType: UInt8 = 5

    let offset: Int
    /// Where the next frame begins.
    let end: Int
    let type: UInt8
    let payload: [UInt8]

    /// The entry's log index (payload: index u64, term u64, kind u8, data).
    var entryIndex: UInt64? {
        type == Self.entryType ? Self.uint64(payload, at: 0) : nil
    }

    /// The entry's data, after its 17 fixed bytes.
    var entryData: [UInt8]? {
        type == Self.entryType ? Array(payload.dropFirst(17)) : nil
    }

    /// The hard state (payload: term u64, votedFor u64, commitIndex u64).
    var hardState: DurableHardState? {
        guard type == Self.hardStateType, let term = Self.uint64(payload, at: 0), let vote = Self.uint64(payload, at: 8),
              let commit = Self.uint64(payload, at: 16) else { return nil }
        return DurableHardState(term: term, vote: vote, commit: commit)
    }

    func contains(_ byteOffset: Int) -> Bool { (offset..<end).contains(byteOffset) }

    /// Every frame of a whole, undamaged segment; throws if the bytes do not
    /// split exactly into frames.
    static func parse(_ bytes: [UInt8], file: String) throws -> [SegmentFrame] {
        var frames: [SegmentFrame] = []
        var offset = 0
        while offset < bytes.count {
            guard let length = uint32(bytes, at: offset), length >= 1,
                  offset + headerBytes + Int(length) <= bytes.count else {
                throw FormatMismatch(description: "\(file): no whole frame at offset \(offset) of \(bytes.count)")
            }
            let end = offset + headerBytes + Int(length)
            frames.append(SegmentFrame(offset: offset, end: end, type: bytes[offset + headerBytes],
                                       payload: Array(bytes[offset + headerBytes + 1..<end])))
            offset = end
        }
        return frames
    }

    private static func uint32(_ bytes: [UInt8], at offset: Int) -> UInt32? {
        littleEndian(bytes, at: offset, count: 4).map { UInt32(truncatingIfNeeded: $0) }
    }

    private static func uint64(_ bytes: [UInt8], at offset: Int) -> UInt64? {
        littleEndian(bytes, at: offset, count: 8)
    }

    private static func littleEndian(_ bytes: [UInt8], at offset: Int, count: Int) -> UInt64? {
        guard offset >= 0, offset + count <= bytes.count else { return nil }
        return bytes[offset..<offset + count].reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A segment that does not follow the documented format.
    struct FormatMismatch: Error, CustomStringConvertible {
        let description: String
    }
}

/// Raft's durable hard state as a hard-state record stores it.
struct DurableHardState: Equatable, Sendable, CustomStringConvertible {
    let term: UInt64
    let vote: UInt64
    let commit: UInt64

    var description: String { "term \(term), vote \(vote), commit \(commit)" }
}
