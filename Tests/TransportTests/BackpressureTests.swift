import Locking
import Testing
import TestSupport
@testable import Transport
import Wire

/// Watches the server side of a streaming response: how far it got, how full
/// its connection's write queue ever was, and whether the client went away.
final class StreamProbe: Sendable {
    struct State: Sendable {
        var sentBytes = 0
        var timesBlocked = 0
        var queuedBytesMaximum = 0
        var finished = false
        var clientGoneAfterBytes: Int?
    }

    private let state = Locked(State())
    private let endpoint = Locked<TLSEndpoint?>(nil)

    var snapshot: State { state.withLock { $0 } }
    func update(_ change: (inout State) -> Void) { state.withLock { change(&$0) } }
    func watch(_ watched: TLSEndpoint) { endpoint.withLock { $0 = watched } }

    /// Records the fullest write queue among the endpoint's connections on `loop`; call on `loop`.
    func sampleQueues(on loop: EventLoop) {
        guard let watched = endpoint.withLock({ $0 }) else { return }
        let fullest = watched.registry.connections(on: loop).map(\.queuedOutboundBytes).max() ?? 0
        update { $0.queuedBytesMaximum = max($0.queuedBytesMaximum, fullest) }
    }
}

/// A well-behaved streaming response: writes a chunk only while the responder
/// is writable, and carries on from `onWritable`.
final class PoliteStream {
    private let responder: HTTPResponder
    private let totalBytes: Int
    private let probe: StreamProbe
    private var sentBytes = 0
    static let chunkBytes = 64 * 1024

    init(responder: HTTPResponder, totalBytes: Int, probe: StreamProbe) {
        self.responder = responder
        self.totalBytes = totalBytes
        self.probe = probe
    }

    func start() {
        responder.startStream(status: 200)
        responder.onWritable = { [self] in pump() }
        pump()
    }

    private func pump() {
        while responder.isWritable, !responder.isClientGone, sentBytes < totalBytes {
            let count = min(Self.chunkBytes, totalBytes - sentBytes)
            responder.writeChunk(TestPattern.bytes(at: sentBytes, count: count))
            sentBytes += count
            probe.sampleQueues(on: responder.loop)
        }
        let sent = sentBytes
        let blocked = sent < totalBytes && !responder.isWritable
        probe.update {
            $0.sentBytes = sent
            if blocked { $0.timesBlocked += 1 }
        }
        if sentBytes == totalBytes || responder.isClientGone {
            responder.onWritable = nil
        }
        if sentBytes == totalBytes {
            responder.finishStream()
            probe.update { $0.finished = true }
        }
    }
}

@Suite(.serialized) struct BackpressureTests {
    static let streamBytes = 64 << 20

    @Test func streamToAPausedClientKeepsTheWriteQueueBoundedAndCompletesOnResume() throws {
        let probe = StreamProbe()
        let limits = ConnectionLimits()
        let fixture = try HTTPFixture(limits: limits) { routes in
            routes.add("GET", "/api/v1/big") { _, responder in
                PoliteStream(responder: responder, totalBytes: Self.streamBytes, probe: probe).start()
            }
        }
        defer { fixture.shutdown() }
        probe.watch(fixture.server.endpoint)
        let progress = DownloadProgress()
        let request = HTTPTestSupport.request("GET", "/api/v1/big")
        let connection = try #require(fixture.raw.open(port: fixture.server.port) { _ in
            DownloadingHandler(request: request, pausedAtOpen: true, progress: progress)
        })
        #expect(eventually { probe.snapshot.timesBlocked > 0 }, "the server never had to wait for the client")
        let held = probe.snapshot
        #expect(held.sentBytes < Self.streamBytes, "the whole stream was queued although the client read nothing")
        #expect(!held.finished)
        #expect(progress.snapshot.bodyBytes == 0)

        fixture.raw.resumeReading(connection)
        #expect(eventually(timeout: .seconds(60)) { progress.snapshot.ended || progress.snapshot.closeReason != nil })
        let done = progress.snapshot
        #expect(done.status == 200)
        #expect(done.ended)
        #expect(done.parseError == nil)
        #expect(done.bodyBytes == Self.streamBytes)
        #expect(done.checksum == StreamChecksum.ofPattern(count: Self.streamBytes))
        let server = probe.snapshot
        #expect(server.finished)
        #expect(server.queuedBytesMaximum <= limits.writeQueueMaximumBytes)
        // A writer that stops when not writable overshoots the high-water mark by at most one chunk.
        let chunkOnWireMaximum = PoliteStream.chunkBytes + 16
        #expect(server.queuedBytesMaximum <= limits.writeQueueHighWaterBytes + chunkOnWireMaximum,
                "queue reached \(server.queuedBytesMaximum) bytes")
    }

    @Test func handlerIgnoringBackpressureIsCutOffAtTheWriteQueueMaximum() throws {
        let probe = StreamProbe()
        var limits = ConnectionLimits()
        limits.writeQueueMaximumBytes = 1 << 20
        let attemptBytes = 64 << 20
        let fixture = try HTTPFixture(limits: limits) { routes in
            routes.add("GET", "/api/v1/flood") { _, responder in
                responder.startStream(status: 200)
                let chunk = TestPattern.bytes(at: 0, count: 64 * 1024)
                var written = 0
                while written < attemptBytes, !responder.isClientGone {
                    responder.writeChunk(chunk)
                    written += chunk.count
                    probe.sampleQueues(on: responder.loop)
                }
                let gone = responder.isClientGone
                probe.update {
                    $0.sentBytes = written
                    $0.clientGoneAfterBytes = gone ? written : nil
                }
            }
        }
        defer { fixture.shutdown() }
        probe.watch(fixture.server.endpoint)
        let progress = DownloadProgress()
        let request = HTTPTestSupport.request("GET", "/api/v1/flood")
        let connection = try #require(fixture.raw.open(port: fixture.server.port) { _ in
            DownloadingHandler(request: request, pausedAtOpen: true, progress: progress)
        })
        #expect(eventually { probe.snapshot.sentBytes > 0 })
        let server = probe.snapshot
        let cutOffAt = try #require(server.clientGoneAfterBytes, "the server kept queueing all \(attemptBytes) bytes")
        #expect(cutOffAt < attemptBytes)
        #expect(server.queuedBytesMaximum <= limits.writeQueueMaximumBytes)
        #expect(eventually { fixture.server.openConnectionCount() == 0 })
        // The client gets what was on the wire and then a connection that ends mid-body.
        fixture.raw.resumeReading(connection)
        #expect(eventually { progress.snapshot.closeReason != nil })
        #expect(!progress.snapshot.ended)
        #expect(progress.snapshot.bodyBytes < attemptBytes)
    }
}
