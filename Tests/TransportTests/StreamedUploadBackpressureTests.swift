import Primitives
import Locking
import Testing
import TestSupport
import Transport
import Wire

/// Stops taking the body once `pauseAfterBytes` arrived (`HTTPResponder.pauseBody`), and offers
/// the test a way to resume it on its loop; counts what arrives while paused.
final class PausingReceiver: HTTPRequestBodyReceiver {
    struct State: Sendable {
        var receivedBytes = 0
        var bytesAtPause: Int?
        var checksum = StreamChecksum()
        var resume: (@Sendable () -> Void)?
        var abandoned: String?
    }

    private let responder: HTTPResponder
    private let state: Locked<State>
    private let pauseAfterBytes: Int

    init(responder: HTTPResponder, state: Locked<State>, pauseAfterBytes: Int) {
        self.responder = responder
        self.state = state
        self.pauseAfterBytes = pauseAfterBytes
    }

    func receive(_ bytes: [UInt8]) {
        let pauseNow = state.withLock { state in
            state.receivedBytes += bytes.count
            state.checksum.update(bytes)
            return state.bytesAtPause == nil && state.receivedBytes >= pauseAfterBytes
        }
        guard pauseNow else { return }
        responder.pauseBody()
        let bound = LoopBound(responder, loop: responder.loop)
        state.withLock { state in
            state.bytesAtPause = state.receivedBytes
            state.resume = { bound.withValueOnLoop { $0.resumeBody() } }
        }
    }

    func finish() {
        let (bytes, checksum) = state.withLock { ($0.receivedBytes, $0.checksum.value) }
        responder.sendJSON(status: 200, "{\"bytes\":\(bytes),\"checksum\":\(checksum)}")
    }

    func abandon(_ reason: String) {
        state.withLock { $0.abandoned = reason }
    }
}

/// A streamed body's receiver pushes back on the client: after `pauseBody` the server reads no
/// more of the body than the read in progress brought, and after `resumeBody` the rest arrives
/// intact; a pause longer than the body's stall timeout is the server's, not the client's, and
/// fails nothing.
@Suite(.serialized) struct StreamedUploadBackpressureTests {
    static let uploadBytes = 16 << 20
    static let pauseAfterBytes = 1 << 20

    @Test func aPausedBodyIsNotReadUntilResumed() throws {
        let state = Locked(PausingReceiver.State())
        let fixture = try Self.fixture(state: state)
        defer { fixture.shutdown() }
        let (transcript, sent, _) = try Self.upload(to: fixture)
        #expect(eventually { state.withLock { $0.resume != nil } })
        // The client sends until its socket buffers are full: then nothing more than the read under way was taken.
        #expect(Self.settles { sent.withLock { $0 } }, "the client kept sending: the server read on")
        let (atPause, whilePaused) = state.withLock { ($0.bytesAtPause ?? 0, $0.receivedBytes) }
        #expect(whilePaused - atPause <= HTTPRequestParser.bodyEventMaximumBytes * 2, "read on while paused: \(whilePaused - atPause)")
        #expect(whilePaused < Self.uploadBytes && sent.withLock { $0 } < Self.uploadBytes)
        state.withLock { $0.resume }?()
        try Self.expectWhole(transcript)
    }

    @Test func aPauseLongerThanTheStallTimeoutFailsNothing() throws {
        var configuration = HTTPServerConfiguration()
        configuration.bodyStallTimeout = .seconds(1)
        let state = Locked(PausingReceiver.State())
        let fixture = try Self.fixture(state: state, configuration: configuration)
        defer { fixture.shutdown() }
        let (transcript, sent, _) = try Self.upload(to: fixture)
        #expect(eventually { state.withLock { $0.resume != nil } })
        let pausedBy = MonotonicInstant.now()
        #expect(Self.settles { sent.withLock { $0 } })
        // Paused well past the stall timeout: no 408 comes, and the connection stays open.
        #expect(eventually { pausedBy.duration(until: MonotonicInstant.now()) > configuration.bodyStallTimeout * 3 })
        #expect(transcript.received.isEmpty && !transcript.isClosed, "\(transcript.receivedText)")
        state.withLock { $0.resume }?()
        try Self.expectWhole(transcript)
    }

    static func fixture(state: Locked<PausingReceiver.State>, configuration: HTTPServerConfiguration = .init()) throws -> HTTPFixture {
        try HTTPFixture(configuration: configuration) { routes in
            routes.addStreamed("PUT", "/upload", bodyMaximumBytes: Self.uploadBytes) { _, responder in
                PausingReceiver(responder: responder, state: state, pauseAfterBytes: Self.pauseAfterBytes)
            }
        }
    }

    /// A client that goes while its body is paused is noticed when the receiver resumes (the read
    /// finds the close), and the receiver hears `abandon`: what it holds for the upload is freed.
    @Test func aClientGoneWhilePausedIsAbandonedOnResume() throws {
        let state = Locked(PausingReceiver.State())
        let fixture = try Self.fixture(state: state)
        defer { fixture.shutdown() }
        let (_, sent, connection) = try Self.upload(to: fixture)
        #expect(eventually { state.withLock { $0.resume != nil } })
        #expect(Self.settles { sent.withLock { $0 } })
        connection.loop.runAndWait { connection.value.close(.local("the client gives up")) }
        state.withLock { $0.resume }?()
        #expect(eventually { state.withLock { $0.abandoned != nil } }, "the receiver was not told the client went")
    }

    /// Starts the upload; returns what comes back, the bytes the client has sent so far, and its connection.
    @discardableResult
    static func upload(to fixture: HTTPFixture) throws -> (ClientTranscript, Locked<Int>, LoopBound<TLSConnection>) {
        let head = HTTPTestSupport.request("PUT", "/upload", headers: [("Content-Length", String(Self.uploadBytes))])
        let transcript = ClientTranscript(), sent = Locked(0)
        let connection = try #require(fixture.raw.open(port: fixture.server.port) { _ in
            UploadingHandler(head: head, totalBytes: Self.uploadBytes, framing: .contentLength, transcript: transcript, sent: sent)
        })
        return (transcript, sent, connection)
    }

    /// Waits until `value` stops growing: the same over 50 looks in a row (half a second).
    static func settles(_ value: () -> Int) -> Bool {
        var last = -1, unchanged = 0
        return eventually(timeout: .seconds(60)) {
            let now = value()
            unchanged = now == last ? unchanged + 1 : 0
            last = now
            return unchanged >= 50
        }
    }

    /// The answer counts and sums the whole body.
    static func expectWhole(_ transcript: ClientTranscript) throws {
        #expect(eventually(timeout: .seconds(60)) { ((try? HTTPTestSupport.responses(in: transcript.received).count) ?? 0) > 0 })
        let response = try #require(try HTTPTestSupport.responses(in: transcript.received).first)
        #expect(response.status == 200, "\(response.bodyText)")
        #expect(HTTPTestSupport.jsonInteger("bytes", in: response.bodyText) == UInt64(Self.uploadBytes))
        #expect(HTTPTestSupport.jsonInteger("checksum", in: response.bodyText) == StreamChecksum.ofPattern(count: Self.uploadBytes).value)
    }
}
