@testable import Coordinator
import Cluster
import Consensus
import Primitives
import Storage
import Telemetry
import Testing
import Wire

/// The chunk codec and the receiver's state machine: a transfer round-trips,
/// and every way a sender can get it wrong is refused for its own reason.
@Suite struct TransferAssemblerTests {
    typealias F = TransferFixtures

    /// The case name of the `TransferError` that `body` threw ("accepted" if none).
    private func refusal(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "accepted"
        } catch let error as TransferError {
            switch error {
            case .outOfOrder: return "outOfOrder"
            case .stale: return "stale"
            case .oversized: return "oversized"
            case .truncated: return "truncated"
            case .checksumMismatch: return "checksumMismatch"
            }
        } catch {
            return "\(error)"
        }
    }

    private func begun(_ transfer: OutgoingTransfer) throws -> TransferAssembler {
        var assembler = TransferAssembler(limits: F.limits)
        #expect(try assembler.begin(transfer.header) == nil)
        return assembler
    }

    @Test func aSnapshotRoundTripsThroughItsFramesIntoTheSameMessage() throws {
        let message = F.snapshotMessage(bytes: 3 * TransferCodec.chunkBytesMaximum + 17)
        let frames = F.frames(of: .snapshot(message, transferID: 9))
        #expect(frames.map(\.kind) == [13, 14, 14, 14, 14, 15])
        #expect(frames.allSatisfy { $0.declaredBytes <= FrameCodec.frameSizeMaximumBytesDefault / 4 })
        var assembler = TransferAssembler(limits: F.limits)
        var data: [UInt8] = []
        let header = try TransferCodec.decodeHeader(frames[0].payload)
        #expect(try assembler.begin(header) == nil)
        for frame in frames.dropFirst().dropLast() {
            let chunk = try TransferCodec.decodeChunk(frame.payload)
            try assembler.accept(chunk)
            data += chunk.bytes
        }
        let finished = try assembler.end(transferID: try TransferCodec.decodeEnd(frames[5].payload))
        var rebuilt = try PeerMessageCodec.decode(finished.context)
        #expect(rebuilt.snapshot?.data.isEmpty == true)
        rebuilt.snapshot?.data = data
        #expect(rebuilt == message)
        #expect(finished.term == 3 && finished.index == 500 && finished.totalBytes == UInt64(data.count))
        #expect(assembler.active == nil)
    }

    @Test func aForwardedDocumentRoundTripsWithItsRequestID() throws {
        let document = F.data(count: 300_000)
        let transfer = OutgoingTransfer.document(document, requestID: 77, transferID: 1, deadline: F.documentDeadline)
        var assembler = try begun(transfer)
        var body: [UInt8] = []
        for chunk in try F.chunks(of: transfer) {
            try assembler.accept(chunk)
            body += chunk.bytes
        }
        let finished = try assembler.end(transferID: 1)
        #expect(finished.purpose == .forwardedAnswer && finished.totalBytes == UInt64(document.count))
        #expect(try ForwardedAnswer.decodeStreamedContext(finished.context) == 77 && body == document)
    }

    @Test func aChunkAtTheWrongOffsetIsRefusedAsOutOfOrder() throws {
        let transfer = OutgoingTransfer.snapshot(F.snapshotMessage(bytes: 2 * TransferCodec.chunkBytesMaximum), transferID: 1)
        var assembler = try begun(transfer)
        let chunks = try F.chunks(of: transfer)
        #expect(throws: TransferError.outOfOrder("chunk at byte \(chunks[1].offset), expected byte 0")) {
            try assembler.accept(chunks[1])
        }
    }

    @Test func aChunkOrEndOfNoRunningTransferIsRefusedAsOutOfOrder() throws {
        let transfer = OutgoingTransfer.snapshot(F.snapshotMessage(bytes: 1_000), transferID: 5)
        var assembler = TransferAssembler(limits: F.limits)
        let chunk = try #require(try F.chunks(of: transfer).first)
        #expect(refusal { try assembler.accept(chunk) } == "outOfOrder")
        #expect(refusal { _ = try assembler.end(transferID: 5) } == "outOfOrder")
        _ = try assembler.begin(transfer.header)
        var other = chunk
        other.transferID = 6
        #expect(refusal { try assembler.accept(other) } == "outOfOrder")
    }

    @Test func dataThatDoesNotMatchTheChecksumIsRefusedAtTheEnd() throws {
        let transfer = OutgoingTransfer.snapshot(F.snapshotMessage(bytes: 10_000), transferID: 1)
        var assembler = try begun(transfer)
        var chunk = try #require(try F.chunks(of: transfer).first)
        chunk.bytes[4_321] ^= 0x01
        try assembler.accept(chunk)
        #expect(throws: TransferError.checksumMismatch(expected: transfer.header.checksum,
                                                       computed: CRC32C.checksum(chunk.bytes))) {
            _ = try assembler.end(transferID: 1)
        }
    }

    @Test func aTransferDeclaringMoreThanItsPurposeAllowsIsRefused() throws {
        var header = OutgoingTransfer.document(Array("{}".utf8), requestID: 1, transferID: 1, deadline: F.documentDeadline).header
        header.totalBytes = F.limits.forwardedAnswerBytesMaximum + 1
        var assembler = TransferAssembler(limits: F.limits)
        #expect(refusal { _ = try assembler.begin(header) } == "oversized")
        #expect(assembler.active == nil)
    }

    @Test func chunksBeyondTheDeclaredSizeAreRefusedAsOversized() throws {
        let transfer = OutgoingTransfer.snapshot(F.snapshotMessage(bytes: 1_000), transferID: 1)
        var header = transfer.header
        header.totalBytes = 999
        var assembler = TransferAssembler(limits: F.limits)
        _ = try assembler.begin(header)
        let chunk = try #require(try F.chunks(of: transfer).first)
        #expect(throws: TransferError.oversized("chunks reach 1000 bytes, over the declared 999")) { try assembler.accept(chunk) }
    }

    @Test func aChunkOverTheChunkBoundIsRefusedByTheCodecAndTheAssembler() throws {
        let big = TransferChunk(transferID: 1, offset: 0, bytes: [UInt8](repeating: 1, count: TransferCodec.chunkBytesMaximum + 1))
        #expect(throws: BinaryDecodingError.fieldTooLarge(offset: 17, bytes: big.bytes.count,
                                                          maximumBytes: TransferCodec.chunkBytesMaximum)) {
            _ = try TransferCodec.decodeChunk(TransferCodec.encode(big))
        }
        var assembler = TransferAssembler(limits: F.limits)
        var header = OutgoingTransfer.snapshot(F.snapshotMessage(bytes: 1), transferID: 1).header
        header.totalBytes = UInt64(big.bytes.count)
        _ = try assembler.begin(header)
        #expect(refusal { try assembler.accept(big) } == "oversized")
    }

    @Test func anEndBeforeEveryByteArrivedIsRefusedAsTruncated() throws {
        let transfer = OutgoingTransfer.snapshot(F.snapshotMessage(bytes: 2 * TransferCodec.chunkBytesMaximum), transferID: 1)
        var assembler = try begun(transfer)
        try assembler.accept(try F.chunks(of: transfer)[0])
        #expect(throws: TransferError.truncated(receivedBytes: UInt64(TransferCodec.chunkBytesMaximum),
                                                totalBytes: transfer.header.totalBytes)) {
            _ = try assembler.end(transferID: 1)
        }
    }

    @Test func aNewerSnapshotReplacesAnUnfinishedOlderOne() throws {
        let old = OutgoingTransfer.snapshot(F.snapshotMessage(term: 3, index: 500, bytes: 300_000), transferID: 1)
        let newer = OutgoingTransfer.snapshot(F.snapshotMessage(term: 3, index: 900, bytes: 1_000), transferID: 2)
        var assembler = try begun(old)
        try assembler.accept(try F.chunks(of: old)[0])
        #expect(try assembler.begin(newer.header) == old.header)
        try assembler.accept(try F.chunks(of: newer)[0])
        #expect(try assembler.end(transferID: 2) == newer.header)
    }

    @Test func anOlderSnapshotOrAnAnswerCannotInterruptAnUnfinishedSnapshot() throws {
        let current = OutgoingTransfer.snapshot(F.snapshotMessage(term: 4, index: 500, bytes: 300_000), transferID: 1)
        let older = OutgoingTransfer.snapshot(F.snapshotMessage(term: 3, index: 900, bytes: 1_000), transferID: 2)
        let answer = OutgoingTransfer.document(Array("{}".utf8), requestID: 1, transferID: 3, deadline: F.documentDeadline)
        var assembler = try begun(current)
        #expect(throws: TransferError.stale(term: 3, index: 900, currentTerm: 4, currentIndex: 500)) {
            _ = try assembler.begin(older.header)
        }
        var again = try begun(current)
        #expect(refusal { _ = try again.begin(answer.header) } == "outOfOrder")
    }

    @Test func everyTruncationOfEveryPayloadIsRefusedWithoutATrap() throws {
        let transfer = OutgoingTransfer.snapshot(F.snapshotMessage(bytes: 200), transferID: 1)
        let frames = F.frames(of: transfer)
        for frame in frames {
            for length in 0..<frame.payload.count {
                let cut = Array(frame.payload.prefix(length))
                switch FrameKind(rawValue: frame.kind) {
                case .transferBegin: #expect(throws: BinaryDecodingError.self) { _ = try TransferCodec.decodeHeader(cut) }
                case .transferChunk: #expect(throws: BinaryDecodingError.self) { _ = try TransferCodec.decodeChunk(cut) }
                default: #expect(throws: BinaryDecodingError.self) { _ = try TransferCodec.decodeEnd(cut) }
                }
            }
        }
    }
}
