@testable import Coordinator
import Cluster
import Glibc
import ModuleArchive
import Storage
import Telemetry
import Testing
import TestSupport
import Wire

/// Transfers of purpose 3 (module artifacts): the receiver's size bound, and an artifact read
/// from one store in chunks, checked by the assembler, written into another store's upload and
/// made visible only when its sha256 matches.
@Suite struct ArtifactTransferTests {
    typealias F = TransferFixtures

    static func header(totalBytes: UInt64) -> TransferHeader {
        TransferHeader(purpose: .artifact, transferID: 1, term: 0, index: 0, totalBytes: totalBytes, checksum: 0,
                       context: ArtifactRequestCodec.transferContext(sha256: [UInt8](repeating: 1, count: 32), offset: 0))
    }

    @Test func anArtifactOverTheStoreBoundIsRefusedAtItsHeader() throws {
        #expect(F.limits.artifactBytesMaximum == UInt64(ModuleStoreLimits().artifactBytesMaximum))
        var limits = F.limits
        limits.artifactBytesMaximum = 1_000
        var assembler = TransferAssembler(limits: limits)
        #expect(throws: TransferError.self) { _ = try assembler.begin(Self.header(totalBytes: 1_001)) }
        #expect(try assembler.begin(Self.header(totalBytes: 1_000)) == nil)
        #expect(throws: TransferError.self) {
            try assembler.accept(TransferChunk(transferID: 1, offset: 0, bytes: [UInt8](repeating: 0, count: 1_001)))
        }
    }

    /// Stores `data` in a new store under `directory`; returns the store and the artifact.
    static func stored(_ data: [UInt8], in directory: TemporaryDirectory) throws -> (ModuleStore, ModuleStore.Artifact) {
        let store = try ModuleStore.open(directory: directory.file("modules"))
        let upload = try store.beginUpload(declaredBytes: Int64(data.count))
        try upload.write(data)
        return (store, try upload.finish().artifact)
    }

    @Test(arguments: [0, 1, TransferCodec.chunkBytesMaximum + 5])
    func aStoredArtifactStreamsIntoAnotherStoreVerified(start: Int) throws {
        let data = F.data(count: 3 * TransferCodec.chunkBytesMaximum + 17)
        let sending = TemporaryDirectory()
        let (source, artifact) = try Self.stored(data, in: sending)
        defer { source.close() }
        let reader = try source.open(artifact.digest)
        let sent = Array(data[start...])
        let transfer = OutgoingTransfer.artifact(reader, start: Int64(start), checksum: CRC32C.checksum(sent), transferID: 4)
        let frames = F.frames(of: transfer)
        #expect(frames.first?.kind == FrameKind.transferBegin.rawValue && frames.last?.kind == FrameKind.transferEnd.rawValue)
        let header = try TransferCodec.decodeHeader(frames[0].payload)
        #expect(header.purpose == .artifact && header.totalBytes == UInt64(sent.count))
        #expect(try ArtifactRequestCodec.decodeTransferContext(header.context)
                == ArtifactRequest(sha256: artifact.digest.bytes, offset: UInt64(start)))

        let receiving = TemporaryDirectory()
        let target = try ModuleStore.open(directory: receiving.file("modules"))
        defer { target.close() }
        var assembler = TransferAssembler(limits: F.limits)
        #expect(try assembler.begin(header) == nil)
        let upload = try target.beginUpload(declaredBytes: Int64(header.totalBytes))
        for frame in frames.dropFirst().dropLast() {
            let chunk = try TransferCodec.decodeChunk(frame.payload)
            try assembler.accept(chunk)
            try upload.write(chunk.bytes)
        }
        _ = try assembler.end(transferID: try TransferCodec.decodeEnd(frames.last!.payload))
        if start == 0 {
            #expect(try upload.finish(expectedSHA256: artifact.digest).artifact == artifact)
            #expect(target.contains(artifact.digest))
        } else {
            // Bytes from an offset do not hash to the whole artifact's name: refused, nothing visible.
            #expect(throws: ModuleStoreError.self) { _ = try upload.finish(expectedSHA256: artifact.digest) }
            #expect(target.artifacts().isEmpty && F.entries(of: receiving.file("modules/incoming")).isEmpty)
        }
    }

    /// The server's prepare pass (`ModuleStore.verify` with a piece observer): one read gives the
    /// sha256 check and the transfer's CRC-32C; a copy damaged on disk is refused as corrupt.
    @Test func thePreparePassChecksTheSha256AndComputesTheChecksum() throws {
        let data = F.data(count: 3 * ModuleStoreLimits().readPieceBytesMaximum + 9)
        let directory = TemporaryDirectory()
        let (store, artifact) = try Self.stored(data, in: directory)
        defer { store.close() }
        var checksum: UInt32 = 0, offsets: [Int64] = []
        let finished = try store.verify(artifact.digest, eachPiece: { offset, piece in
            offsets.append(offset)
            checksum = CRC32C.checksum(piece, continuing: checksum)
        })
        #expect(finished)
        #expect(checksum == CRC32C.checksum(data) && offsets.count == 4)
        #expect(try !store.verify(artifact.digest, isCancelled: { true }), "a stopping coordinator ends the pass")

        let descriptor = open(store.path(of: artifact.digest), O_WRONLY)
        #expect(descriptor >= 0)
        #expect(pwrite(descriptor, [0xFF, 0x00], 2, 100) == 2)
        close(descriptor)
        #expect {
            try store.verify(artifact.digest)
        } throws: { error in
            guard case .corrupt(artifact.digest, _)? = error as? ModuleStoreError else { return false }
            return true
        }
    }

    @Test func aReadThatComesShortStopsTheTransfer() throws {
        let data = F.data(count: 1_000)
        let directory = TemporaryDirectory()
        let (store, artifact) = try Self.stored(data, in: directory)
        defer { store.close() }
        let reader = try store.open(artifact.digest)
        var transfer = OutgoingTransfer.artifact(reader, start: 0, checksum: CRC32C.checksum(data), transferID: 1)
        #expect(try transfer.nextFrame()?.kind == FrameKind.transferBegin.rawValue)
        #expect(truncate(store.path(of: artifact.digest), 10) == 0)
        #expect(throws: ModuleStoreError.self) { _ = try transfer.nextFrame() }
    }
}
