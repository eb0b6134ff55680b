import Cluster
import ModuleArchive
import Storage
import Telemetry

/// Why a chunked transfer was refused. Each closes the connection it came
/// on; nothing of the transfer reaches Raft or a waiting request.
enum TransferError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A chunk or end for no transfer, another transfer, or at the wrong
    /// offset; or a begin while an unfinished transfer it does not supersede runs.
    case outOfOrder(String)
    /// A snapshot transfer no newer than the unfinished one it would replace.
    case stale(term: UInt64, index: UInt64, currentTerm: UInt64, currentIndex: UInt64)
    /// A declared size over the purpose's bound, a chunk over its bound, or
    /// more bytes than declared.
    case oversized(String)
    /// The end came before every declared byte did.
    case truncated(receivedBytes: UInt64, totalBytes: UInt64)
    case checksumMismatch(expected: UInt32, computed: UInt32)

    var description: String {
        switch self {
        case let .outOfOrder(detail): "out-of-order transfer frame: \(detail)"
        case let .stale(term, index, currentTerm, currentIndex):
            "stale snapshot transfer (term \(term), index \(index)) while one of term \(currentTerm), index \(currentIndex) runs"
        case let .oversized(detail): "oversized transfer: \(detail)"
        case let .truncated(received, total): "transfer ended after \(received) of \(total) bytes"
        case let .checksumMismatch(expected, computed):
            "transfer checksum mismatch: header says \(expected), data has \(computed)"
        }
    }
}

/// The receiving side of chunked transfers on one connection, as a pure
/// state machine: it admits a header, then chunks strictly in order, and at
/// the end reports the transfer complete only if every declared byte came
/// and the checksum matches. It keeps no data — the caller stores each
/// admitted chunk (a spool file, a buffer) — only offsets and a running
/// checksum. One transfer at a time; a newer snapshot replaces an unfinished one.
struct TransferAssembler {
    /// The bounds a receiver applies, by purpose.
    struct Limits: Sendable {
        var snapshotBytesMaximum: UInt64
        var forwardedAnswerBytesMaximum: UInt64
        /// A module artifact's: the store's bound on one artifact (512 MiB by default).
        var artifactBytesMaximum = UInt64(ModuleStoreLimits().artifactBytesMaximum)
        var chunkBytesMaximum = TransferCodec.chunkBytesMaximum

        func totalBytesMaximum(for purpose: TransferPurpose) -> UInt64 {
            switch purpose {
            case .snapshot: snapshotBytesMaximum
            case .forwardedAnswer: forwardedAnswerBytesMaximum
            case .artifact: artifactBytesMaximum
            }
        }
    }

    private struct Progress {
        var header: TransferHeader
        var receivedBytes: UInt64 = 0
        var checksum: UInt32 = 0
    }

    let limits: Limits
    private var current: Progress?

    init(limits: Limits) {
        self.limits = limits
    }

    /// The header of the unfinished transfer, if one runs.
    var active: TransferHeader? { current?.header }

    /// Admits `header`; returns the unfinished transfer it replaced, whose
    /// stored bytes the caller discards.
    mutating func begin(_ header: TransferHeader) throws(TransferError) -> TransferHeader? {
        let maximum = limits.totalBytesMaximum(for: header.purpose)
        guard header.totalBytes <= maximum else {
            throw .oversized("\(header.purpose) of \(header.totalBytes) bytes, over the \(maximum)-byte limit")
        }
        let replaced = current?.header
        if let replaced, !header.supersedes(replaced) {
            if header.purpose == .snapshot, replaced.purpose == .snapshot {
                throw .stale(term: header.term, index: header.index, currentTerm: replaced.term, currentIndex: replaced.index)
            }
            throw .outOfOrder("transfer \(header.transferID) began while transfer \(replaced.transferID) is unfinished")
        }
        current = Progress(header: header)
        return replaced
    }

    /// Admits `chunk` if it continues the transfer exactly where it stands.
    mutating func accept(_ chunk: TransferChunk) throws(TransferError) {
        guard var progress = current, progress.header.transferID == chunk.transferID else {
            throw .outOfOrder("chunk of transfer \(chunk.transferID), which \(current == nil ? "never began" : "is not the one running")")
        }
        guard !chunk.bytes.isEmpty, chunk.bytes.count <= limits.chunkBytesMaximum else {
            throw .oversized("a chunk of \(chunk.bytes.count) bytes; chunks hold 1–\(limits.chunkBytesMaximum)")
        }
        guard chunk.offset == progress.receivedBytes else {
            throw .outOfOrder("chunk at byte \(chunk.offset), expected byte \(progress.receivedBytes)")
        }
        let total = progress.receivedBytes + UInt64(chunk.bytes.count)
        guard total <= progress.header.totalBytes else {
            throw .oversized("chunks reach \(total) bytes, over the declared \(progress.header.totalBytes)")
        }
        progress.receivedBytes = total
        progress.checksum = CRC32C.checksum(chunk.bytes, continuing: progress.checksum)
        current = progress
    }

    /// Completes the transfer: its header, once every byte came and the checksum matches.
    mutating func end(transferID: UInt64) throws(TransferError) -> TransferHeader {
        guard let progress = current, progress.header.transferID == transferID else {
            throw .outOfOrder("end of transfer \(transferID), which \(current == nil ? "never began" : "is not the one running")")
        }
        current = nil
        guard progress.receivedBytes == progress.header.totalBytes else {
            throw .truncated(receivedBytes: progress.receivedBytes, totalBytes: progress.header.totalBytes)
        }
        guard progress.checksum == progress.header.checksum else {
            throw .checksumMismatch(expected: progress.header.checksum, computed: progress.checksum)
        }
        return progress.header
    }

    /// Forgets the unfinished transfer (its connection closed); returns it.
    mutating func abandon() -> TransferHeader? {
        defer { current = nil }
        return current?.header
    }
}
