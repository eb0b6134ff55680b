import Locking
import Transport

/// What a test client saw on one TLS connection: bytes received, whether the
/// handshake finished, and whether (and why) the connection closed.
public final class ClientTranscript: Sendable {
    private struct State {
        public var received: [UInt8] = []
        var opened = false
        public var closeReason: CloseReason?
    }

    private let state = Locked(State())

    public init() {}

    public var received: [UInt8] { state.withLock { $0.received } }
    public var receivedText: String { String(decoding: received, as: UTF8.self) }
    public var opened: Bool { state.withLock { $0.opened } }
    public var closeReason: CloseReason? { state.withLock { $0.closeReason } }
    public var isClosed: Bool { closeReason != nil }

    public func noteOpened() { state.withLock { $0.opened = true } }
    public func append(_ bytes: UnsafeRawBufferPointer) { state.withLock { $0.received.append(contentsOf: bytes) } }
    public func noteClosed(_ reason: CloseReason) { state.withLock { $0.closeReason = reason } }
}

/// A handler that sends given bytes once the handshake is done and records
/// everything that comes back.
public final class RecordingHandler: ConnectionHandler {
    public let transcript: ClientTranscript
    public let greeting: [UInt8]

    public init(transcript: ClientTranscript, greeting: [UInt8]) {
        self.transcript = transcript
        self.greeting = greeting
    }

    public func connectionDidOpen(_ connection: any Connection) {
        transcript.noteOpened()
        if !greeting.isEmpty { connection.write(greeting) }
    }

    public func connection(_ connection: any Connection, didRead bytes: UnsafeRawBufferPointer) {
        transcript.append(bytes)
    }

    public func connectionDeadlineExpired(_ connection: any Connection) {}

    public func connectionDidClose(_ connection: any Connection, reason: CloseReason) {
        transcript.noteClosed(reason)
    }
}
