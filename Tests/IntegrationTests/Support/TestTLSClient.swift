import Foundation
import Locking
import Transport

/// What a test client saw on one TLS connection: bytes received, whether the
/// handshake finished, and whether (and why) the connection closed.
final class ClientTranscript: Sendable {
    private struct State {
        var received: [UInt8] = []
        var opened = false
        var closeReason: CloseReason?
    }

    private let state = Locked(State())

    var received: [UInt8] { state.withLock { $0.received } }
    var receivedText: String { String(decoding: received, as: UTF8.self) }
    var opened: Bool { state.withLock { $0.opened } }
    var closeReason: CloseReason? { state.withLock { $0.closeReason } }
    var isClosed: Bool { closeReason != nil }

    func noteOpened() { state.withLock { $0.opened = true } }
    func append(_ bytes: UnsafeRawBufferPointer) { state.withLock { $0.received.append(contentsOf: bytes) } }
    func noteClosed(_ reason: CloseReason) { state.withLock { $0.closeReason = reason } }
}

/// A handler that sends given bytes once the handshake is done and records
/// everything that comes back.
final class RecordingHandler: ConnectionHandler {
    let transcript: ClientTranscript
    let greeting: [UInt8]

    init(transcript: ClientTranscript, greeting: [UInt8]) {
        self.transcript = transcript
        self.greeting = greeting
    }

    func connectionDidOpen(_ connection: TLSConnection) {
        transcript.noteOpened()
        if !greeting.isEmpty { connection.write(greeting) }
    }

    func connection(_ connection: TLSConnection, didRead bytes: UnsafeRawBufferPointer) {
        transcript.append(bytes)
    }

    func connectionDeadlineExpired(_ connection: TLSConnection) {}

    func connectionDidClose(_ connection: TLSConnection, reason: CloseReason) {
        transcript.noteClosed(reason)
    }
}

/// Opens TLS connections from the test process with Transport's own client,
/// verifying the server against the cluster CA.
final class TestTLSClient: Sendable {
    let group: EventLoopGroup
    let context: TLSContext

    init(certificate: String, key: String, ca: String, loops: Int = 1) throws {
        group = try EventLoopGroup(loopCount: loops)
        context = try TLSContext(TLSConfiguration(certificateChainPath: certificate, privateKeyPath: key,
                                                  trustRootsPath: ca, peerVerification: .none), side: .client)
    }

    deinit { group.shutdown() }

    /// Connects and sends `greeting` after the handshake. Returns the transcript and a handle to write more.
    func open(port: Int, greeting: [UInt8] = []) -> (ClientTranscript, LoopBound<TLSConnection>?) {
        let transcript = ClientTranscript()
        let loop = group.next()
        let context = self.context
        let connection = loop.runAndWait { () -> LoopBound<TLSConnection>? in
            guard let address = try? SocketAddress(host: "127.0.0.1", port: UInt16(port)),
                  let made = try? TLSClient.connect(
                    to: address, expectedServerName: "127.0.0.1", context: context, on: loop,
                    makeHandler: { _ in RecordingHandler(transcript: transcript, greeting: greeting) })
            else { return nil }
            return LoopBound(made, loop: loop)
        }
        return (transcript, connection)
    }

    func write(_ bytes: [UInt8], on connection: LoopBound<TLSConnection>) {
        connection.loop.runAndWait { connection.value.write(bytes) }
    }

    func close(_ connection: LoopBound<TLSConnection>) {
        connection.loop.runAndWait { connection.value.close(.local("test done")) }
    }
}

enum TestFrames {
    static func ping(_ payload: String) -> [UInt8] {
        frame(kind: 1, payload: Array(payload.utf8))
    }

    static func frame(kind: UInt8, payload: [UInt8], version: UInt8 = 1, declaredLength: UInt32? = nil) -> [UInt8] {
        let length = declaredLength ?? UInt32(payload.count + 2)
        return withUnsafeBytes(of: length.bigEndian) { Array($0) } + [version, kind] + payload
    }
}
