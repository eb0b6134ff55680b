import Primitives

/// One record of a segment, before framing. Every segment begins with its
/// header; the rest are batches (`WALBatch`): a batch header, then entries,
/// hard states and snapshot markers in the order they were appended.
enum WALRecord: Equatable {
    /// First record of each segment: the format version and the segment's own
    /// sequence number (checked against the file name).
    case segmentHeader(sequence: UInt64)
    /// First record of each batch: what follows it up to the next batch.
    case batchHeader(WALBatch.Header)
    case entry(LogEntryRecord)
    case hardState(HardStateRecord)
    /// Written after a snapshot at `index` is durable: from here on, the log
    /// starts after `index` (see `LogReplay` for what that discards).
    case snapshotMarker(index: UInt64, term: UInt64)

    /// Version 2 groups records into batches; version 1 (no batches) is refused.
    static let formatVersion: UInt32 = 2

    enum Kind: UInt8 {
        case segmentHeader = 1
        case entry = 2
        case hardState = 3
        case snapshotMarker = 4
        case batchHeader = 5
    }

    static let segmentHeaderPayloadBytes = 12
    static let entryFixedPayloadBytes = 17
    static let hardStatePayloadBytes = 24
    static let snapshotMarkerPayloadBytes = 16
    static let batchHeaderPayloadBytes = 16

    var kind: Kind {
        switch self {
        case .segmentHeader: return .segmentHeader
        case .entry: return .entry
        case .hardState: return .hardState
        case .snapshotMarker: return .snapshotMarker
        case .batchHeader: return .batchHeader
        }
    }

    var payloadBytes: Int {
        switch self {
        case .segmentHeader: return Self.segmentHeaderPayloadBytes
        case let .entry(entry): return Self.entryFixedPayloadBytes + entry.data.count
        case .hardState: return Self.hardStatePayloadBytes
        case .snapshotMarker: return Self.snapshotMarkerPayloadBytes
        case .batchHeader: return Self.batchHeaderPayloadBytes
        }
    }

    /// Frames this record onto `writer` (see `RecordFrame`).
    func append(to writer: inout BinaryWriter) throws(StorageError) {
        try RecordFrame.append(type: kind.rawValue, payloadBytes: payloadBytes, to: &writer) { writer in
            switch self {
            case let .segmentHeader(sequence):
                writer.write(Self.formatVersion)
                writer.write(sequence)
            case let .entry(entry):
                writer.write(entry.index)
                writer.write(entry.term)
                writer.write(entry.kind)
                writer.write(contentsOf: entry.data)
            case let .hardState(state):
                writer.write(state.term)
                writer.write(state.votedFor)
                writer.write(state.commitIndex)
            case let .snapshotMarker(index, term):
                writer.write(index)
                writer.write(term)
            case let .batchHeader(header):
                writer.write(header.sequence)
                writer.write(header.recordCount)
                writer.write(header.recordBytes)
            }
        }
    }

    /// Decodes a payload whose checksum already matched; a failure here is a
    /// format error (or a newer writer), never a torn write.
    static func decode(type: UInt8, payload: inout BinaryReader) -> Result<WALRecord, DecodeFailure> {
        guard let kind = Kind(rawValue: type) else {
            return .failure(DecodeFailure(reason: "unknown record type \(type) (written by a newer version?)"))
        }
        let payloadBytes = payload.remainingBytes
        let record: WALRecord
        do {
            switch kind {
            case .segmentHeader:
                let version = try payload.readUInt32()
                guard version == formatVersion else { return .failure(unreadable(version: version)) }
                record = .segmentHeader(sequence: try payload.readUInt64())
            case .entry:
                let index = try payload.readUInt64(), term = try payload.readUInt64(), entryKind = try payload.readUInt8()
                record = .entry(LogEntryRecord(index: index, term: term, kind: entryKind, data: payload.readRemaining()))
            case .hardState:
                let term = try payload.readUInt64(), vote = try payload.readUInt64(), commit = try payload.readUInt64()
                record = .hardState(HardStateRecord(term: term, votedFor: vote, commitIndex: commit))
            case .snapshotMarker:
                record = .snapshotMarker(index: try payload.readUInt64(), term: try payload.readUInt64())
            case .batchHeader:
                let sequence = try payload.readUInt64(), count = try payload.readUInt32(), bytes = try payload.readUInt32()
                record = .batchHeader(WALBatch.Header(sequence: sequence, recordCount: count, recordBytes: bytes))
            }
            try payload.expectEnd()
        } catch {
            // Too short or too long for its kind: the same refusal for every shape.
            return .failure(DecodeFailure(reason: "\(kind) record has a malformed \(payloadBytes)-byte payload"))
        }
        return .success(record)
    }

    /// Version 1 segments hold records without batches, so a torn batch cannot
    /// be told from a damaged one; they are refused rather than guessed at.
    private static func unreadable(version: UInt32) -> DecodeFailure {
        guard version == 1 else {
            return DecodeFailure(reason: "segment is format version \(version), not \(formatVersion) (written by a newer version?)")
        }
        return DecodeFailure(reason: "segment is format version 1, written by a HotSwap release before batched records; "
            + "this release reads only version \(formatVersion): start that member with the release that wrote it, "
            + "or clear its data directory and let it rejoin from its peers")
    }

    /// Why a checksummed payload could not be decoded.
    struct DecodeFailure: Error {
        var reason: String
    }
}
