import Locking
import ModuleArchive
import Observability
import Telemetry
import Transport
import Wire

/// One artifact transfer to an agent, confined to its connection's loop: the pass
/// (`ArtifactChecks`), then the frames of an `OutgoingTransfer`, read `chunksPerRead` chunks at a
/// time on the disk thread (the transfer moves there and back, one owner at a time) and sent at
/// the pace `AgentArtifactStreamPace` sets (under the connection's low-water mark, so reading the
/// agent never pauses), the next read asked for while at most one read's frames wait. A read that
/// fails, or a transfer under its rate floor, closes the connection (the agent's transfer cannot
/// complete; it asks again from the bytes it holds on its next connection); a closed connection
/// ends the stream, cancels a pass not yet done, and what a read in flight brings back is dropped.
/// Its slot is freed once, when it ended and no job of its own is queued or running on the disk
/// thread.
final class AgentArtifactStream {
    private let server: AgentArtifactServer
    private let request: ArtifactRequest
    private let start: Int64
    private let node: String
    private weak var channel: FrameChannel?
    private let loop: EventLoop
    private let transferID: UInt64
    /// Set once the stream ended: a pass still to run or running stops at its next piece.
    private let cancelled = Locked(false)
    /// The transfer, while on this loop (nil before the pass and while the disk thread reads).
    private var transfer: OutgoingTransfer?
    private var waiting: [Frame] = []
    private var pace: AgentArtifactStreamPace?
    private var retryTimer: TimerID?
    /// Whether a job of this stream (its pass or a read) is queued or running on the disk thread.
    private var hasJob = false
    private var isReleased = false
    private(set) var isDone = false

    init(server: AgentArtifactServer, request: ArtifactRequest, start: Int64, node: String, channel: FrameChannel,
         transferID: UInt64) {
        self.server = server
        self.request = request
        self.start = start
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
        let bound = LoopBound(self, loop: loop), cancelled = self.cancelled
        hasJob = server.checks.prepare(digest, from: start, on: loop, isCancelled: { cancelled.withLock { $0 } }) { answer in
            bound.value.prepared(answer)
        }
        if !hasJob { refuse(.busy) }
    }

    /// The connection closed: nothing more is sent.
    func cancel() {
        finish()
    }

    private func prepared(_ answer: ArtifactChecks.Prepared?) {
        hasJob = false
        guard !isDone, channel?.connection.isOpen == true else { return finish() }
        switch server.checks.outcome(of: answer, sha256: request.sha256, asker: "agent \(node)", logger: server.logger) {
        case let .refused(reason):
            refuse(reason)
        case let .ready(reader, checksum):
            transfer = .artifact(reader, start: start, checksum: checksum, transferID: transferID)
            pace = AgentArtifactStreamPace(begun: loop.now)
            server.noteTransferBegun()
            server.logger.info("module artifact transfer to an agent begun",
                               ["node": node, "sha256": reader.digest.hex, "from": "\(start)", "bytes": "\(reader.byteCount - start)"])
            pump()
        }
    }

    /// Sends what waits while the connection's queue is under its low-water mark, looks again
    /// later while frames wait, and asks for the next read.
    func pump() {
        guard !isDone, let channel, channel.connection.isOpen else { return finish() }
        let connection = channel.connection, lowWater = connection.limits.writeQueueLowWaterBytes
        var sent = 0
        while sent < waiting.count, AgentArtifactStreamPace.maySend(queuedBytes: connection.queuedOutboundBytes, lowWater: lowWater) {
            channel.send(waiting[sent], what: "module artifact transfer", refusalsTo: server.logger)
            pace?.sent(waiting[sent].payload.count)
            sent += 1
        }
        waiting.removeFirst(sent)
        if !waiting.isEmpty { return lookAgainLater(sentSome: sent > 0) }
        guard let transfer else { return }
        if transfer.isFinished {
            server.logger.info("module artifact transfer to an agent sent", ["node": node, "transfer": "\(transferID)"])
            return finish()
        }
        if !hasJob { read() }
    }

    /// Frames wait on a queue that drains without telling: pump again after the pace's wait, unless
    /// the transfer fell under its floor.
    private func lookAgainLater(sentSome: Bool) {
        if !sentSome { pace?.waited() }
        if let pace, pace.isTooSlow(at: loop.now) {
            return fail("the agent took \(pace.bytesSent) bytes in \(pace.begun.duration(until: loop.now)), under the floor of "
                        + "\(AgentArtifactStreamPace.minimumBytesPerSecond) bytes a second")
        }
        if !hasJob, transfer?.isFinished == false, waiting.count <= AgentArtifactServer.chunksPerRead { read() }
        guard retryTimer == nil else { return }
        retryTimer = loop.scheduleTimer(after: pace?.retry ?? AgentArtifactStreamPace.retryFirst) { [weak self] in
            self?.retryTimer = nil
            self?.pump()
        }
    }

    private func read() {
        guard let moving = transfer else { return }
        transfer = nil
        let bound = LoopBound(self, loop: loop), chunks = AgentArtifactServer.chunksPerRead
        let handed = Read(transfer: moving, frames: [], failure: nil)
        hasJob = server.checks.uploads.run(on: loop, {
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
        if !hasJob { fail("the coordinator's disk thread takes no more work (stopping)") }
    }

    private func arrived(_ read: Read?) {
        hasJob = false
        guard !isDone else { return finish() }
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

    /// Ends the stream (once) and frees its slot once no job of its own is on the disk thread;
    /// called again when that job's answer arrives.
    private func finish() {
        if !isDone {
            isDone = true
            cancelled.withLock { $0 = true }
            transfer = nil
            waiting = []
            if let retryTimer { loop.cancelTimer(retryTimer) }
            retryTimer = nil
        }
        guard !hasJob, !isReleased else { return }
        isReleased = true
        server.release()
    }
}
