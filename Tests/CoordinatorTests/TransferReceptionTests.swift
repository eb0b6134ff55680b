@testable import Coordinator
import Cluster
import Consensus
import Observability
import Primitives
import Storage
import Telemetry
import Testing
import TestSupport
import Transport
import Wire

/// The receiving shell: snapshot chunks go to a spool file in the data
/// directory, the whole snapshot reaches Raft only once it checks out, and
/// every refusal or abandonment leaves no file behind.
@Suite struct TransferReceptionTests {
    typealias F = TransferFixtures

    private func inbox(in directory: String, log: LogSink = LogSink.capturing().0) throws -> SnapshotInbox {
        try SnapshotInbox(dataDirectory: directory, logger: Logger(component: "test", sink: log), metrics: MetricsRegistry())
    }

    private func reception(_ inbox: SnapshotInbox) -> TransferReception {
        TransferReception(inbox: inbox, peer: F.leader, selfID: F.follower.id)
    }

    private func spools(in directory: String) -> [String] {
        F.entries(of: directory).filter { $0.hasPrefix(SnapshotInbox.spoolPrefix) }
    }

    @Test func twentyMegabytesOfSnapshotArriveThroughTheSpoolAsTheSameMessage() throws {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let directory = scratch.path
        let receiving = reception(try inbox(in: directory))
        let message = F.snapshotMessage(bytes: 20 << 20)
        let frames = F.frames(of: .snapshot(message, transferID: 1))
        #expect(frames.count == (20 << 20) / TransferCodec.chunkBytesMaximum + 2)
        try receiving.begin(frames[0].payload)
        for frame in frames.dropFirst().dropLast() { try receiving.chunk(frame.payload) }
        #expect(spools(in: directory).count == 1, "the chunks were not spooled to the data directory")
        guard case let .snapshot(received) = try receiving.end(try #require(frames.last).payload) else {
            Issue.record("a snapshot transfer delivered something else")
            return
        }
        #expect(received == message)
        #expect(spools(in: directory).isEmpty, "the spool file outlived its transfer")
    }

    @Test func aForwardedDocumentArrivesInMemoryAsTheOutcomeOfItsRequest() throws {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let directory = scratch.path
        let receiving = reception(try inbox(in: directory))
        let document = F.data(count: 2 * TransferCodec.chunkBytesMaximum + 5)
        let frames = F.frames(of: .document(document, requestID: 41, transferID: 3, deadline: F.documentDeadline))
        try receiving.begin(frames[0].payload)
        for frame in frames.dropFirst().dropLast() { try receiving.chunk(frame.payload) }
        #expect(spools(in: directory).isEmpty, "a forwarded document was spooled to disk")
        guard case let .answer(requestID, outcome) = try receiving.end(try #require(frames.last).payload) else {
            Issue.record("a forwarded answer's transfer delivered something else")
            return
        }
        #expect(requestID == 41 && outcome == .document(document))
    }

    /// A document's transfer whose context is not a bare request id (a previous build sent the
    /// request id, status and Retry-After there): its request is refused at the begin frame,
    /// before any of the data is collected; its chunks and end are checked and dropped, and
    /// the connection stays open for the next transfer.
    @Test func aForwardedDocumentWhoseContextDoesNotDecodeIsRefusedAtItsBegin() throws {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let receiving = reception(try inbox(in: scratch.path))
        for (context, refusedID) in [(ForwardedAnswer.streamedContext(requestID: 41) + [0, 200, 0], UInt64(41)), ([7, 7], nil)] {
            let document = F.data(count: TransferCodec.chunkBytesMaximum + 5)
            var transfer = OutgoingTransfer.document(document, requestID: 41, transferID: 3, deadline: F.documentDeadline)
            transfer = OutgoingTransfer(header: TransferHeader(
                purpose: .forwardedAnswer, transferID: 3, term: 0, index: 0, totalBytes: transfer.header.totalBytes,
                checksum: transfer.header.checksum, context: context), data: document)
            let frames = F.frames(of: transfer)
            let delivered = try receiving.begin(frames[0].payload)
            if let refusedID {
                guard case let .answer(requestID, .refused(.undecodableAnswer(detail))) = delivered else {
                    Issue.record("the begin delivered \(String(describing: delivered)), not the request's refusal")
                    continue
                }
                #expect(requestID == refusedID && detail.contains("unexpected bytes after the end"), "\(detail)")
            } else {
                #expect(delivered == nil, "a context of two bytes names no request")
            }
            for frame in frames.dropFirst().dropLast() { try receiving.chunk(frame.payload) }
            #expect(try receiving.end(try #require(frames.last).payload) == nil)
        }
        let frames = F.frames(of: .document([1, 2, 3], requestID: 42, transferID: 4, deadline: F.documentDeadline))
        #expect(try receiving.begin(frames[0].payload) == nil)
        for frame in frames.dropFirst().dropLast() { try receiving.chunk(frame.payload) }
        #expect(try receiving.end(try #require(frames.last).payload) == .answer(requestID: 42, outcome: .document([1, 2, 3])))
    }

    /// A reception in a scratch data directory, and a snapshot transfer's frames.
    private func withReception(bytes: Int, _ body: (String, TransferReception, [Frame]) throws -> Void) throws {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let directory = scratch.path
        try body(directory, reception(try inbox(in: directory)), F.frames(of: .snapshot(F.snapshotMessage(bytes: bytes), transferID: 1)))
    }

    /// An artifact transfer nobody asked for (the default admission refuses every one) is
    /// checked and dropped: nothing is stored and the connection stays open.
    @Test func anUnaskedArtifactTransfersChunksAreDroppedWithTheConnectionKept() throws {
        let directory = TemporaryDirectory()
        let receiving = reception(try inbox(in: directory.path))
        let data = F.data(count: 2 * TransferCodec.chunkBytesMaximum + 3)
        let header = TransferHeader(
            purpose: .artifact, transferID: 9, term: 0, index: 0, totalBytes: UInt64(data.count), checksum: CRC32C.checksum(data),
            context: ArtifactRequestCodec.transferContext(sha256: [UInt8](repeating: 7, count: 32), offset: 0))
        let frames = F.frames(of: OutgoingTransfer(header: header, data: data))
        #expect(try receiving.begin(frames[0].payload) == nil)
        for frame in frames.dropFirst().dropLast() { try receiving.chunk(frame.payload) }
        #expect(try receiving.end(frames.last!.payload) == nil)
        #expect(F.entries(of: directory.path).filter { $0.hasPrefix(SnapshotInbox.spoolPrefix) }.isEmpty)
    }

    @Test func aCorruptedChunkNeverReachesRaftAndItsSpoolIsRemoved() throws {
        try withReception(bytes: 300_000) { directory, receiving, frames in
            try receiving.begin(frames[0].payload)
            var chunk = try TransferCodec.decodeChunk(frames[1].payload)
            chunk.bytes[0] ^= 0xFF
            try receiving.chunk(TransferCodec.encode(chunk))
            for frame in frames.dropFirst(2).dropLast() { try receiving.chunk(frame.payload) }
            #expect(throws: FrameChannelError.self) { _ = try receiving.end(try #require(frames.last).payload) }
            #expect(spools(in: directory).isEmpty)
        }
    }

    @Test func aTransferThatStopsMovingIsRefusedAtTheNextFrameAndLeavesNoSpool() throws {
        try withReception(bytes: 300_000) { directory, receiving, frames in
            try receiving.begin(frames[0].payload)
            try receiving.chunk(frames[1].payload)
            let now = MonotonicInstant.now()
            try receiving.checkProgress(now: now)
            let stalled = now.advanced(by: SnapshotInbox.transferStallMaximum + .seconds(1))
            do {
                try receiving.checkProgress(now: stalled)
                Issue.record("a transfer without progress for longer than the bound was kept")
            } catch {
                #expect("\(error)".contains("made no progress"), "\(error)")
            }
            receiving.abandon()
            #expect(spools(in: directory).isEmpty)
        }
    }

    @Test func aHeaderWhoseMessageIsNotFromThisPeerIsRefused() throws {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let directory = scratch.path
        let receiving = TransferReception(inbox: try inbox(in: directory), peer: F.follower, selfID: F.leader.id)
        let frames = F.frames(of: .snapshot(F.snapshotMessage(bytes: 1_000), transferID: 1))
        #expect(throws: FrameChannelError.self) { try receiving.begin(frames[0].payload) }
        #expect(spools(in: directory).isEmpty)
    }

    @Test func anAbandonedTransferLeavesNoSpoolAndLeftoversAreRemovedAtStart() throws {
        try withReception(bytes: 300_000) { directory, receiving, frames in
            try receiving.begin(frames[0].payload)
            try receiving.chunk(frames[1].payload)
            receiving.abandon()
            #expect(spools(in: directory).isEmpty)

            let leftover = try SpoolFile.create(at: directory + "/" + SnapshotInbox.spoolPrefix + "c1-9" + SnapshotInbox.spoolSuffix)
            try leftover.append([1, 2, 3])
            _ = try inbox(in: directory)
            #expect(spools(in: directory).isEmpty, "a crashed transfer's spool survived the next start")
        }
    }

    @Test func aNewerConnectionFromTheSameSenderTakesOverItsSnapshotTransfer() throws {
        let scratch = TemporaryDirectory()
        defer { scratch.remove() }
        let directory = scratch.path
        let shared = try inbox(in: directory)
        let first = reception(shared)
        let second = reception(shared)
        let frames = F.frames(of: .snapshot(F.snapshotMessage(bytes: 300_000), transferID: 1))
        try first.begin(frames[0].payload)
        try second.begin(frames[0].payload)
        #expect(throws: FrameChannelError.self) { try first.chunk(frames[1].payload) }
        for frame in frames.dropFirst().dropLast() { try second.chunk(frame.payload) }
        _ = try second.end(try #require(frames.last).payload)
        #expect(spools(in: directory).isEmpty)
    }
}
