import Glibc
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

    func abandon(_ reason: String) {}
}

/// A streamed body's receiver pushes back on the client: after `pauseBody` the server reads no
/// more of the body than the read in progress brought, and after `resumeBody` the rest arrives intact.
@Suite(.serialized) struct StreamedUploadBackpressureTests {
    static let uploadBytes = 16 << 20
    static let pauseAfterBytes = 1 << 20

    @Test func aPausedBodyIsNotReadUntilResumed() throws {
        let state = Locked(PausingReceiver.State())
        let fixture = try HTTPFixture { routes in
            routes.addStreamed("PUT", "/upload", bodyMaximumBytes: Self.uploadBytes) { _, responder in
                PausingReceiver(responder: responder, state: state, pauseAfterBytes: Self.pauseAfterBytes)
            }
        }
        defer { fixture.shutdown() }
        let head = HTTPTestSupport.request("PUT", "/upload", headers: [("Content-Length", String(Self.uploadBytes))])
        let transcript = ClientTranscript()
        _ = try #require(fixture.raw.open(port: fixture.server.port) { _ in
            UploadingHandler(head: head, totalBytes: Self.uploadBytes, framing: .contentLength, transcript: transcript)
        })
        #expect(eventually { state.withLock { $0.resume != nil } })
        // However long the client keeps sending, nothing more than the read under way is taken.
        usleep(500_000)
        let (atPause, whilePaused) = state.withLock { ($0.bytesAtPause ?? 0, $0.receivedBytes) }
        #expect(whilePaused - atPause <= HTTPRequestParser.bodyEventMaximumBytes * 2, "read on while paused: \(whilePaused - atPause)")
        #expect(whilePaused < Self.uploadBytes)
        state.withLock { $0.resume }?()
        #expect(eventually(timeout: .seconds(60)) { ((try? HTTPTestSupport.responses(in: transcript.received).count) ?? 0) > 0 })
        let response = try #require(try HTTPTestSupport.responses(in: transcript.received).first)
        #expect(response.status == 200, "\(response.bodyText)")
        #expect(HTTPTestSupport.jsonInteger("bytes", in: response.bodyText) == UInt64(Self.uploadBytes))
        #expect(HTTPTestSupport.jsonInteger("checksum", in: response.bodyText) == StreamChecksum.ofPattern(count: Self.uploadBytes).value)
    }
}
