import Cluster
import Consensus
import Glibc
import ModuleArchive
import Primitives
import Storage
import Telemetry
import Wire

/// The sending side of one chunked transfer, as a pure sequence of frames:
/// `transferBegin`, then `transferChunk`s of at most `chunkBytes`, then
/// `transferEnd`. `restart` rewinds it for a new connection, on which the
/// receiver knows nothing of it. Its data is in memory, or a stored artifact
/// read one chunk at a time as the chunks go out (never whole in memory) — on the
/// caller's thread, the Raft loop: the kernel is told a window ahead what will be read,
/// but a read the disk has not brought in yet still holds the loop while it waits.
struct OutgoingTransfer {
    /// Where the data comes from.
    enum Source {
        case bytes([UInt8])
        /// `header.totalBytes` bytes of a stored artifact, from byte `start` on.
        case artifact(StoredArtifactReader, start: Int64)
    }

    /// How far ahead a stored artifact's reads are announced to the kernel (`adviseWillNeed`),
    /// refreshed each time this many bytes went out.
    static let adviceWindowBytes = 4 << 20

    let header: TransferHeader
    /// When a forwarded document stops being worth sending: its follower has given up on it.
    /// Nil for a snapshot, which is worth sending while this node leads in its term.
    let deadline: MonotonicInstant?
    private let source: Source
    private let chunkBytes: Int
    private var offset = 0
    /// The artifact's bytes (from the transfer's start) announced to the kernel so far.
    private var advisedUpTo = 0
    private var hasBegun = false
    private(set) var isFinished = false

    init(header: TransferHeader, data: [UInt8], deadline: MonotonicInstant? = nil, chunkBytes: Int = TransferCodec.chunkBytesMaximum) {
        precondition(UInt64(data.count) == header.totalBytes, "a transfer's header must declare its data's size")
        self.init(header: header, source: .bytes(data), deadline: deadline, chunkBytes: chunkBytes)
    }

    init(header: TransferHeader, source: Source, deadline: MonotonicInstant? = nil, chunkBytes: Int = TransferCodec.chunkBytesMaximum) {
        precondition(chunkBytes > 0 && chunkBytes <= TransferCodec.chunkBytesMaximum, "chunks must fit the codec's bound")
        self.header = header
        self.source = source
        self.deadline = deadline
        self.chunkBytes = chunkBytes
    }

    /// A stored artifact a member asked for, from `start` (already checked to be within it):
    /// the bytes from there read in chunks, `checksum` their CRC-32C (computed beforehand, on
    /// the disk thread), the sha256 and `start` in the header's context.
    static func artifact(_ reader: StoredArtifactReader, start: Int64, checksum: UInt32, transferID: UInt64) -> OutgoingTransfer {
        let header = TransferHeader(
            purpose: .artifact, transferID: transferID, term: 0, index: 0, totalBytes: UInt64(reader.byteCount - start),
            checksum: checksum, context: ArtifactRequestCodec.transferContext(sha256: reader.digest.bytes, offset: UInt64(start)))
        return OutgoingTransfer(header: header, source: .artifact(reader, start: start))
    }

    /// A Raft `.snapshot` message: its snapshot data streamed, the rest of
    /// the message (with the snapshot's index, term and membership) in the header.
    static func snapshot(_ message: Message, transferID: UInt64) -> OutgoingTransfer {
        precondition(message.kind == .snapshot && message.snapshot != nil, "only snapshot messages are streamed")
        let data = message.snapshot?.data ?? []
        var bare = message
        bare.snapshot?.data = []
        let header = TransferHeader(
            purpose: .snapshot, transferID: transferID, term: message.term, index: message.snapshot?.metadata.index ?? 0,
            totalBytes: UInt64(data.count), checksum: CRC32C.checksum(data), context: PeerMessageCodec.encode(bare))
        return OutgoingTransfer(header: header, data: data)
    }

    /// The leader's gateway document answering the forwarded request
    /// `requestID`: the document streamed, the request id in the header;
    /// not begun (or begun again on a new connection) after `deadline`.
    static func document(_ document: [UInt8], requestID: UInt64, transferID: UInt64,
                         deadline: MonotonicInstant) -> OutgoingTransfer {
        let header = TransferHeader(
            purpose: .forwardedAnswer, transferID: transferID, term: 0, index: 0, totalBytes: UInt64(document.count),
            checksum: CRC32C.checksum(document), context: ForwardedAnswer.streamedContext(requestID: requestID))
        return OutgoingTransfer(header: header, data: document, deadline: deadline)
    }

    /// The frame to send next; nil once the end was handed out. Throws when a stored artifact's
    /// read fails or comes short (the transfer cannot go on).
    mutating func nextFrame() throws(ModuleStoreError) -> Frame? {
        guard !isFinished else { return nil }
        guard hasBegun else {
            hasBegun = true
            return Frame(kind: FrameKind.transferBegin.rawValue, payload: TransferCodec.encode(header))
        }
        guard UInt64(offset) < header.totalBytes else {
            isFinished = true
            return Frame(kind: FrameKind.transferEnd.rawValue, payload: TransferCodec.encodeEnd(transferID: header.transferID))
        }
        let count = Int(min(UInt64(chunkBytes), header.totalBytes - UInt64(offset)))
        let bytes: [UInt8]
        switch source {
        case let .bytes(data): bytes = Array(data[offset..<offset + count])
        case let .artifact(reader, start):
            // The loop reads the chunk itself: advice a window ahead keeps most reads from waiting for the disk.
            if offset + Self.adviceWindowBytes >= advisedUpTo {
                reader.adviseWillNeed(fromOffset: start + Int64(offset), count: 2 * Int64(Self.adviceWindowBytes))
                advisedUpTo = offset + 2 * Self.adviceWindowBytes
            }
            bytes = try reader.read(atOffset: start + Int64(offset), upTo: count)
            guard bytes.count == count else {
                throw .file(.system(operation: "read (the artifact ended early)", path: reader.path, errno: EIO))
            }
        }
        let chunk = TransferChunk(transferID: header.transferID, offset: UInt64(offset), bytes: bytes)
        offset += count
        return Frame(kind: FrameKind.transferChunk.rawValue, payload: TransferCodec.encode(chunk))
    }

    /// Starts over from the header.
    mutating func restart() {
        offset = 0
        advisedUpTo = 0
        hasBegun = false
        isFinished = false
    }
}
