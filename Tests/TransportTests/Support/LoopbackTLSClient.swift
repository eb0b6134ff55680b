import Locking
import Primitives
import TestSupport
@testable import Transport

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
    /// `context` replaces the client's own; `sessionCache` (on this client's loop) is offered and filled.
    func open(port: UInt16, greeting: [UInt8] = [], limits: ConnectionLimits = .init(), context: TLSContext? = nil,
              sessionCache: LoopBound<TLSSessionCache>? = nil) -> (ClientTranscript, LoopBound<TLSConnection>)? {
        let transcript = ClientTranscript()
        guard let connection = open(port: port, limits: limits, context: context, sessionCache: sessionCache, makeHandler: { _ in
            RecordingHandler(transcript: transcript, greeting: greeting)
        }) else { return nil }
        return (transcript, connection)
    }

    /// Connects with a handler of the test's making.
    func open(port: UInt16, limits: ConnectionLimits = .init(), context: TLSContext? = nil,
              sessionCache: LoopBound<TLSSessionCache>? = nil,
              makeHandler: @escaping @Sendable (TLSConnection) -> any ConnectionHandler) -> LoopBound<TLSConnection>? {
        let loop = self.loop
        let context = context ?? self.context
        let made = loop.runAndWait { () -> LoopBound<TLSConnection>? in
            guard let address = try? SocketAddress(host: "127.0.0.1", port: port),
                  let connection = try? TLSClient.connect(
                    to: address, expectedServerName: TestCertificates.serverName, context: context,
                    limits: limits, sessionCache: sessionCache?.value, on: loop, makeHandler: makeHandler)
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
