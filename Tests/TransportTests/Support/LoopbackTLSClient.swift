import Locking
@testable import Transport

/// What a test client saw on one TLS connection: the bytes received, whether
/// the handshake finished, and whether (and why) the connection closed.
final class TLSTranscript: Sendable {
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

/// Sends given bytes once the handshake is done and records everything that comes back.
final class TranscriptHandler: ConnectionHandler {
    let transcript: TLSTranscript
    let greeting: [UInt8]

    init(transcript: TLSTranscript, greeting: [UInt8]) {
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

/// Dials TLS connections to a test server from its own event loop with
/// Transport's client, verifying the server against the test CA. `shutdown`
/// closes whatever is still open and joins the loop.
final class LoopbackTLSClient: Sendable {
    let group: EventLoopGroup
    let context: TLSContext
    private let connections = Locked<[LoopBound<TLSConnection>]>([])

    init(certificates: TestCertificates) throws {
        group = try EventLoopGroup(loopCount: 1)
        do {
            context = try certificates.clientContext()
        } catch {
            group.shutdown()
            throw error
        }
    }

    var loop: EventLoop { group.loops[0] }

    /// Connects and sends `greeting` after the handshake; nil when the connect could not start.
    func open(port: UInt16, greeting: [UInt8] = [], limits: ConnectionLimits = .init())
        -> (TLSTranscript, LoopBound<TLSConnection>)?
    {
        let transcript = TLSTranscript()
        guard let connection = open(port: port, limits: limits, makeHandler: { _ in
            TranscriptHandler(transcript: transcript, greeting: greeting)
        }) else { return nil }
        return (transcript, connection)
    }

    /// Connects with a handler of the test's making.
    func open(port: UInt16, limits: ConnectionLimits = .init(),
              makeHandler: @escaping @Sendable (TLSConnection) -> any ConnectionHandler) -> LoopBound<TLSConnection>? {
        let loop = self.loop
        let context = self.context
        let made = loop.runAndWait { () -> LoopBound<TLSConnection>? in
            guard let address = try? SocketAddress(host: "127.0.0.1", port: port),
                  let connection = try? TLSClient.connect(
                    to: address, expectedServerName: TestCertificates.serverName, context: context,
                    limits: limits, on: loop, makeHandler: makeHandler)
            else { return nil }
            return LoopBound(connection, loop: loop)
        }
        if let made { connections.withLock { $0.append(made) } }
        return made
    }

    func write(_ bytes: [UInt8], on connection: LoopBound<TLSConnection>) {
        connection.loop.runAndWait { connection.value.write(bytes) }
    }

    /// Writes each piece with its own `write` call, so each leaves as its own TLS record.
    func writeSeparately(_ pieces: [[UInt8]], on connection: LoopBound<TLSConnection>) {
        connection.loop.runAndWait {
            for piece in pieces { connection.value.write(piece) }
        }
    }

    func pauseReading(_ connection: LoopBound<TLSConnection>) {
        connection.loop.runAndWait { connection.value.pauseReading() }
    }

    func resumeReading(_ connection: LoopBound<TLSConnection>) {
        connection.loop.runAndWait { connection.value.resumeReading() }
    }

    func close(_ connection: LoopBound<TLSConnection>) {
        connection.loop.runAndWait { connection.value.close(.local("test closed it")) }
    }

    /// Aborts every connection still open, then stops and joins the loop.
    func shutdown() {
        let all = connections.withLock { list in
            defer { list.removeAll() }
            return list
        }
        loop.runAndWait {
            for connection in all where connection.value.state != .closed {
                connection.value.abort(.local("test finished"))
            }
        }
        group.shutdown()
    }
}
