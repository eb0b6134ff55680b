import FileSystem
import Glibc
import Primitives
import Storage
import Telemetry
import Transport

/// One artifact transfer as the agent receives it: the begin must name this artifact and
/// offset with the bytes still missing, chunks must come in order without gap, overlap or
/// excess, each written at its place in the partial file, and the end must close a transfer
/// whose CRC-32C matches; then the file is fsync'd. Frames of another transfer are dropped.
/// A transfer whose CRC does not match is cut off the file again (it was not what was sent).
/// A transfer that fails while the leader may still stream it (a chunk out of place, a failed
/// write, frames overflowing the inbox) is skipped to its end before the failure is answered:
/// a request sent sooner would be refused `busy` (one transfer per connection).
struct ArtifactTransfer {
    let sha256: [UInt8]
    let offset: UInt64
    let totalBytes: UInt64
    let descriptor: Int32
    let path: String
    private var header: TransferHeader?
    private var received: UInt64 = 0
    private var checksum: UInt32 = 0
    /// Why the transfer failed while its frames may still come: skipped until its end.
    private var skipping: String?

    init(sha256: [UInt8], offset: UInt64, totalBytes: UInt64, descriptor: Int32, path: String) {
        self.sha256 = sha256
        self.offset = offset
        self.totalBytes = totalBytes
        self.descriptor = descriptor
        self.path = path
    }

    /// Why a transfer did not complete: `retry` may be asked again; `abandon` may not (the link
    /// the order came on is gone, or the agent is stopping).
    enum Failure: Equatable {
        case retry(String)
        case abandon(String)
    }

    /// Receives the transfer; nil once it is complete and durable, otherwise why it failed.
    mutating func receive(from inbox: ArtifactInbox, settings: ArtifactFetchSettings) -> Failure? {
        var deadline = MonotonicInstant.now().advanced(by: settings.beginTimeout)
        while true {
            switch inbox.next(until: deadline) {
            case .interrupted: return .abandon("the agent is stopping")
            case let .failed(reason): return .abandon(reason)
            case .timedOut:
                if let skipping { return .retry(skipping) }
                return .retry(header == nil ? "no transfer began within \(settings.beginTimeout) of the request"
                    : "no chunk for \(settings.stallTimeout) after \(received) of \(totalBytes) bytes")
            case let .overflowed(reason):
                skipping = skipping ?? reason
                deadline = MonotonicInstant.now().advanced(by: settings.stallTimeout)
            case let .frames(frames):
                for frame in frames {
                    switch take(frame) {
                    case .going: deadline = MonotonicInstant.now().advanced(by: settings.stallTimeout)
                    case .ignored: break
                    case .complete: return nil
                    case let .failed(reason):
                        guard let skipping else { return .retry(reason) }
                        return .retry(skipping)
                    }
                }
            }
        }
    }

    private enum Step: Equatable {
        case going
        case ignored
        case complete
        case failed(String)
    }

    private mutating func take(_ frame: ArtifactFrame) -> Step {
        switch frame {
        case let .refusal(refusal):
            guard header == nil, refusal.sha256 == sha256 else { return .ignored }
            if refusal.reason == .badOffset, ftruncate(descriptor, 0) != 0 {
                return .failed("the leader refused offset \(offset) and \(path) could not be emptied")
            }
            return .failed("the leader refused the artifact: \(refusal)")
        case let .begin(begun): return begin(begun)
        case let .chunk(chunk):
            guard let header, chunk.transferID == header.transferID else { return .ignored }
            guard skipping == nil else { return .going }
            let step = write(chunk)
            if case let .failed(reason) = step { skipping = reason }
            return .going
        case let .end(transferID):
            guard let header, transferID == header.transferID else { return .ignored }
            if let skipping { return .failed(skipping) }
            return end(header)
        }
    }

    private mutating func begin(_ begun: TransferHeader) -> Step {
        guard header == nil, begun.purpose == .artifact else { return .ignored }
        let context: ArtifactRequest
        do { context = try ArtifactRequestCodec.decodeTransferContext(begun.context) } catch {
            return .failed("an artifact transfer's context does not decode: \(error)")
        }
        guard context.sha256 == sha256 else { return .ignored }
        header = begun
        if skipping == nil, context.offset != offset || begun.totalBytes != totalBytes {
            skipping = "the transfer starts at \(context.offset) with \(begun.totalBytes) bytes; asked from \(offset) for \(totalBytes)"
        }
        return .going
    }

    private mutating func write(_ chunk: TransferChunk) -> Step {
        guard chunk.offset == received else { return .failed("a chunk at \(chunk.offset), expected \(received)") }
        guard received + UInt64(chunk.bytes.count) <= totalBytes else {
            return .failed("chunks past the transfer's \(totalBytes) bytes")
        }
        do {
            try DescriptorIO.writeAll(descriptor, chunk.bytes, atOffset: off_t(offset + received), path: path)
        } catch {
            return .failed("\(error)")
        }
        checksum = CRC32C.checksum(chunk.bytes, continuing: checksum)
        received += UInt64(chunk.bytes.count)
        return .going
    }

    private mutating func end(_ header: TransferHeader) -> Step {
        guard received == totalBytes else { return .failed("the transfer ended after \(received) of \(totalBytes) bytes") }
        guard checksum == header.checksum else {
            let cut = ftruncate(descriptor, off_t(offset)) == 0 ? "" : " (and \(path) could not be cut back)"
            return .failed("the transfer's CRC-32C does not match\(cut)")
        }
        guard fsync(descriptor) == 0 else { return .failed("fsync \(path): \(SystemErrorText.current())") }
        return .complete
    }
}
