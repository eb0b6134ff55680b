import ModuleArchive
import Observability
import Telemetry
import Transport
import Wire

/// One artifact transfer to an agent, confined to its connection's loop: the pass
/// (`ArtifactChecks`), then the frames of an `OutgoingTransfer`, read `chunksPerRead` chunks at a
/// time on the disk thread (the transfer moves there and back, one owner at a time) and sent
/// while the channel is writable, the next read asked for while at most one read's frames wait.
/// A read that fails closes the connection (the agent's transfer cannot complete; it asks again
/// from the bytes it holds on its next connection); a closed connection ends the stream, and what
/// a read in flight brings back is dropped. Its end frees the server's slot, once.
final class AgentArtifactStream {
    private let server: AgentArtifactServer
    private let request: ArtifactRequest
    private let node: String
    private weak var channel: FrameChannel?
    private let loop: EventLoop
    private let transferID: UInt64
    /// The transfer, while on this loop (nil before the pass and while the disk thread reads).
    private var transfer: OutgoingTransfer?
    private var waiting: [Frame] = []
    private var isReading = false
    private(set) var isDone = false

    init(server: AgentArtifactServer, request: ArtifactRequest, node: String, channel: FrameChannel, transferID: UInt64) {
        self.server = server
        self.request = request
        self.node = node
        self.channel = channel
        loop = channel.connection.loop
        self.transferID = transferID
    }

    /// What a read on the disk thread brought: the transfer back, and its next frames or why it stopped.
    private struct Read: @unchecked Sendable {
        var transfer: OutgoingTransfer
        var frames: [Frame]
        var failure: ModuleStoreError?
    }

    func start(_ digest: ArtifactDigest) {
        let bound = LoopBound(self, loop: loop)
        let queued = server.checks.prepare(digest, from: Int64(request.offset), on: loop) { answer in
            bound.value.prepared(answer)
        }
        if !queued { refuse(.busy) }
    }

    /// The connection closed: nothing more is sent.
    func cancel() {
        finish()
    }

    private func prepared(_ answer: ArtifactChecks.Prepared?) {
        guard !isDone, channel?.connection.isOpen == true else { return finish() }
        switch server.checks.outcome(of: answer, sha256: request.sha256, asker: "agent \(node)", logger: server.logger) {
        case let .refused(reason):
            refuse(reason)
        case let .ready(reader, checksum):
            let start = Int64(request.offset)
            transfer = .artifact(reader, start: start, checksum: checksum, transferID: transferID)
            server.noteTransferBegun()
            server.logger.info("module artifact transfer to an agent begun",
                               ["node": node, "sha256": reader.digest.hex, "from": "\(start)", "bytes": "\(reader.byteCount - start)"])
            pump()
        }
    }

    /// Sends what waits while the channel is writable, and asks for the next read.
    func pump() {
        guard !isDone, let channel else { return finish() }
        var sent = 0
        while sent < waiting.count, channel.isWritable {
            channel.send(waiting[sent], what: "module artifact transfer", refusalsTo: server.logger)
            sent += 1
        }
        waiting.removeFirst(sent)
        guard let transfer else { return }
        if transfer.isFinished {
            if waiting.isEmpty {
                server.logger.info("module artifact transfer to an agent sent", ["node": node, "transfer": "\(transferID)"])
                finish()
            }
            return
        }
        if !isReading, waiting.count <= AgentArtifactServer.chunksPerRead { read() }
    }

    private func read() {
        guard let moving = transfer else { return }
        transfer = nil
        isReading = true
        let bound = LoopBound(self, loop: loop), chunks = AgentArtifactServer.chunksPerRead
        let handed = Read(transfer: moving, frames: [], failure: nil)
        let queued = server.checks.uploads.run(on: loop, {
            var read = handed
            var moving = read.transfer
            do throws(ModuleStoreError) {
                while read.frames.count < chunks, let frame = try moving.nextFrame() { read.frames.append(frame) }
            } catch {
                read.failure = error
            }
            read.transfer = moving
            return read
        }, answer: { (read: Read?) in
            bound.value.arrived(read)
        })
        if !queued { fail("the coordinator's disk thread takes no more work (stopping)") }
    }

    private func arrived(_ read: Read?) {
        isReading = false
        guard !isDone else { return }
        guard let read else { return fail("the coordinator is stopping") }
        if let failure = read.failure { return fail("reading the artifact failed: \(failure)") }
        transfer = read.transfer
        waiting += read.frames
        pump()
    }

    private func refuse(_ reason: ArtifactRefusal.Reason) {
        if let channel { server.refuse(request, reason, node: node, on: channel) }
        finish()
    }

    /// The transfer cannot go on: the agent's assembler would wait for chunks that never come, so
    /// the connection closes and the agent asks again from what it holds.
    private func fail(_ reason: String) {
        server.logger.error("module artifact transfer to an agent failed; closing its connection", ["node": node, "reason": reason])
        channel?.close(.local("module artifact transfer failed: \(reason)"))
        finish()
    }

    private func finish() {
        guard !isDone else { return }
        isDone = true
        transfer = nil
        waiting = []
        server.release()
    }
}
