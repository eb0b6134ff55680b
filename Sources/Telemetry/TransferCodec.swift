import Primitives

/// What a chunked transfer carries, which decides where the receiver keeps
/// it and how large it may be.
public enum TransferPurpose: UInt8, Sendable, Equatable {
    /// A Raft `.snapshot` message; spooled to disk.
    case snapshot = 1
    /// A leader's gateway document answering a forwarded request, too large
    /// for one frame; assembled in memory.
    case forwardedAnswer = 2
    /// A stored module artifact a member asked for (`ArtifactRequestCodec`); written into the
    /// receiver's module store as it arrives.
    case artifact = 3
}

/// The first frame of a transfer (`transferBegin`): what it is, how many
/// bytes follow in chunks, and their checksum.
public struct TransferHeader: Sendable, Equatable {
    public var purpose: TransferPurpose
    /// Chosen by the sender, unique on its link; every chunk repeats it.
    public var transferID: UInt64
    /// Orders snapshot transfers: the Raft message's term, then the
    /// snapshot's index. A newer one replaces an unfinished older one.
    public var term: UInt64
    public var index: UInt64
    public var totalBytes: UInt64
    /// CRC-32C of all `totalBytes` bytes, checked before they are used.
    public var checksum: UInt32
    /// What the data belongs to: for a snapshot the Raft message with empty
    /// snapshot data (`PeerMessageCodec`), which carries the snapshot's index,
    /// term and membership; for a document the request id it answers
    /// (`ForwardedAnswer.streamedContext`); for an artifact its sha256 and the offset the data
    /// starts at (`ArtifactRequestCodec.transferContext`).
    public var context: [UInt8]

    public init(purpose: TransferPurpose, transferID: UInt64, term: UInt64, index: UInt64, totalBytes: UInt64,
                checksum: UInt32, context: [UInt8]) {
        self.purpose = purpose
        self.transferID = transferID
        self.term = term
        self.index = index
        self.totalBytes = totalBytes
        self.checksum = checksum
        self.context = context
    }

    /// Whether this transfer should replace `other`, an unfinished one from
    /// the same sender: only a snapshot from a later term or of a later index.
    public func supersedes(_ other: TransferHeader) -> Bool {
        purpose == .snapshot && other.purpose == .snapshot && (term, index) > (other.term, other.index)
    }
}

/// One `transferChunk`: bytes at `offset` of the transfer `transferID`.
public struct TransferChunk: Sendable, Equatable {
    public var transferID: UInt64
    public var offset: UInt64
    public var bytes: [UInt8]

    public init(transferID: UInt64, offset: UInt64, bytes: [UInt8]) {
        self.transferID = transferID
        self.offset = offset
        self.bytes = bytes
    }
}

/// The payloads of the `transferBegin`, `transferChunk` and `transferEnd`
/// frames, each starting with a version byte, big-endian (`BinaryWriter`).
/// Decoding is bounded, so a hostile peer cannot make it allocate more than
/// a frame's worth.
public enum TransferCodec {
    public static let version: UInt8 = 1
    /// Bytes of data per chunk: well under the 1 MiB frame limit, so a chunk
    /// never waits long behind, or delays, the Raft traffic on the same link.
    public static let chunkBytesMaximum = 128 << 10
    public static let contextBytesMaximum = 64 << 10

    public static func encode(_ header: TransferHeader) -> [UInt8] {
        payload(reserving: 48 + header.context.count) { writer in
            writer.write(header.purpose.rawValue)
            for field in [header.transferID, header.term, header.index, header.totalBytes] { writer.write(field) }
            writer.write(header.checksum)
            writer.writeLengthPrefixed(header.context)
        }
    }

    public static func decodeHeader(_ bytes: [UInt8]) throws(BinaryDecodingError) -> TransferHeader {
        var reader = BinaryReader(bytes)
        try readVersion(&reader)
        let purposeOffset = reader.offset
        guard let purpose = TransferPurpose(rawValue: try reader.readUInt8()) else {
            throw .invalidValue(offset: purposeOffset, detail: "unknown transfer purpose")
        }
        let header = TransferHeader(
            purpose: purpose, transferID: try reader.readUInt64(), term: try reader.readUInt64(),
            index: try reader.readUInt64(), totalBytes: try reader.readUInt64(), checksum: try reader.readUInt32(),
            context: try reader.readLengthPrefixed(maximumBytes: contextBytesMaximum))
        try reader.expectEnd()
        return header
    }

    public static func encode(_ chunk: TransferChunk) -> [UInt8] {
        payload(reserving: 24 + chunk.bytes.count) { writer in
            writer.write(chunk.transferID)
            writer.write(chunk.offset)
            writer.writeLengthPrefixed(chunk.bytes)
        }
    }

    public static func decodeChunk(_ bytes: [UInt8]) throws(BinaryDecodingError) -> TransferChunk {
        var reader = BinaryReader(bytes)
        try readVersion(&reader)
        let chunk = TransferChunk(transferID: try reader.readUInt64(), offset: try reader.readUInt64(),
                                  bytes: try reader.readLengthPrefixed(maximumBytes: chunkBytesMaximum))
        try reader.expectEnd()
        return chunk
    }

    /// `transferEnd` carries the transfer's id only.
    public static func encodeEnd(transferID: UInt64) -> [UInt8] {
        payload(reserving: 9) { $0.write(transferID) }
    }

    public static func decodeEnd(_ bytes: [UInt8]) throws(BinaryDecodingError) -> UInt64 {
        var reader = BinaryReader(bytes)
        try readVersion(&reader)
        let transferID = try reader.readUInt64()
        try reader.expectEnd()
        return transferID
    }

    /// The version byte, then what `body` writes.
    private static func payload(reserving capacity: Int, _ body: (inout BinaryWriter) -> Void) -> [UInt8] {
        var writer = BinaryWriter(reservingCapacity: capacity)
        writer.write(version)
        body(&writer)
        return writer.bytes
    }

    private static func readVersion(_ reader: inout BinaryReader) throws(BinaryDecodingError) {
        let found = try reader.readUInt8()
        guard found == version else { throw .unsupportedVersion(found) }
    }
}
