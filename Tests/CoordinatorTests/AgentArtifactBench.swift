@testable import Coordinator
import Glibc
import Locking
import ModuleArchive
import Observability
import Primitives
import Storage
import Telemetry
import Testing
import TestSupport
import Transport
import Wire

/// One stored artifact served by an `AgentArtifactServer` to agent connections on an embedded
/// loop (`EmbeddedConnection`s through real `FrameChannel`s), the uploads' disk thread real.
final class AgentArtifactBench {
    /// Holds a connection's stream as the session does: ends it when the connection closes.
    final class StreamHolder: FrameReceiver {
        var stream: AgentArtifactStream?
        func channelDidOpen(_ channel: FrameChannel) {}
        func channel(_ channel: FrameChannel, didReceive frame: Frame) throws(FrameChannelError) {}
        func channelDidClose(_ channel: FrameChannel, reason: CloseReason) { stream?.cancel() }
        func channelDidBecomeWritable(_ channel: FrameChannel) { stream?.pump() }
    }

    struct Agent {
        let connection: EmbeddedConnection
        let channel: FrameChannel
        let holder: StreamHolder

        func refusals() throws -> [ArtifactRefusal] {
            try AgentArtifactBench.frames(in: connection.takeWritten()).filter { $0.kind == FrameKind.artifactRefusal.rawValue }
                .map { try ArtifactRequestCodec.decodeRefusal($0.payload) }
        }
    }

    let directory = TemporaryDirectory()
    let embedded = EmbeddedEventLoop()
    let data: [UInt8]
    let artifact: ModuleStore.Artifact
    let uploads: ModuleUploads
    let checks: ArtifactChecks
    let server: AgentArtifactServer
    private var connections: [Agent] = []

    init(bytes: Int) throws {
        data = TransferFixtures.data(count: bytes, seed: UInt64(bytes))
        let store = try ModuleStore.open(directory: directory.file("modules"))
        let upload = try store.beginUpload(declaredBytes: Int64(bytes))
        try upload.write(data)
        artifact = try upload.finish().artifact
        let (sink, _) = LogSink.capturing()
        let logger = Logger(component: "test", sink: sink), metrics = MetricsRegistry()
        uploads = ModuleUploads(store: store, logger: logger, metrics: metrics)
        checks = ArtifactChecks(uploads: uploads, metrics: metrics)
        let digest = artifact.digest.bytes, size = UInt64(bytes)
        server = AgentArtifactServer(checks: checks, logger: logger, metrics: metrics) { $0 == digest ? size : nil }
    }

    func stop() {
        uploads.stop()
        embedded.run()
    }

    func connect() -> Agent {
        let connection = EmbeddedConnection(loop: embedded.loop, id: UInt64(connections.count + 1))
        let holder = StreamHolder()
        let channel = FrameChannel(connection: connection, frameSizeMaximumBytes: FrameCodec.frameSizeMaximumBytesDefault,
                                   idleTimeout: .seconds(3_600), receiver: holder)
        connection.handler = channel
        connection.open()
        let agent = Agent(connection: connection, channel: channel, holder: holder)
        connections.append(agent)
        return agent
    }

    /// Runs the loop (answers come from the disk thread) until `condition` holds, for up to 60 s.
    func runUntil(_ condition: () -> Bool) -> Bool {
        for _ in 0..<60_000 {
            embedded.run()
            if condition() { return true }
            usleep(1_000)
        }
        return false
    }

    /// The pass from `start`, as `outcome` judges it.
    func prepared(from start: Int64) throws -> ArtifactChecks.Outcome {
        let answer = Locked<ArtifactChecks.Prepared??>(nil)
        let queued = checks.prepare(artifact.digest, from: start, on: embedded.loop) { prepared in
            answer.withLock { $0 = .some(prepared) }
        }
        try #require(queued)
        try #require(runUntil { answer.withLock { $0 } != nil })
        let (sink, _) = LogSink.capturing()
        return checks.outcome(of: answer.withLock { $0 } ?? nil, sha256: artifact.digest.bytes, asker: "test",
                              logger: Logger(component: "test", sink: sink))
    }

    /// Overwrites one stored byte, as a disk might.
    func damage(at offset: Int) {
        let descriptor = open(uploads.store.path(of: artifact.digest), O_WRONLY)
        #expect(descriptor >= 0 && pwrite(descriptor, [~data[offset]], 1, off_t(offset)) == 1)
        close(descriptor)
    }

    static func frames(in bytes: [UInt8]) throws -> [Frame] {
        var decoder = FrameDecoder()
        decoder.append(bytes)
        var frames: [Frame] = []
        while let frame = try decoder.next() { frames.append(frame) }
        return frames
    }

    /// The data of the one transfer in `bytes`, checked against its header's size and CRC-32C.
    static func transferBytes(in bytes: [UInt8]) throws -> [UInt8] {
        let frames = try frames(in: bytes)
        let header = try TransferCodec.decodeHeader(try #require(frames.first { $0.kind == FrameKind.transferBegin.rawValue }).payload)
        #expect(frames.last?.kind == FrameKind.transferEnd.rawValue)
        let data = try frames.filter { $0.kind == FrameKind.transferChunk.rawValue }
            .flatMap { try TransferCodec.decodeChunk($0.payload).bytes }
        #expect(UInt64(data.count) == header.totalBytes && CRC32C.checksum(data) == header.checksum)
        return data
    }
}
