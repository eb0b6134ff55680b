import COpenSSL
import Glibc

extension TLSConnection {
    /// Server side, TLS 1.3: sends the client a fresh session ticket now,
    /// without waiting for application data (the write goes out at once, or
    /// as soon as the socket takes it). The ticket holds this connection's
    /// session with a new lifetime, so a long-lived client can keep a ticket
    /// that has not expired when it next needs to reconnect. Returns false
    /// when no ticket can be sent: not an open server connection, or TLS 1.2.
    /// A server context without session tickets, or with an empty key ring,
    /// sends nothing.
    @discardableResult
    public func issueSessionTicket() -> Bool {
        loop.preconditionInLoop()
        guard isServer, state == .open else { return false }
        guard SSL_new_session_ticket(ssl) == 1 else {
            ERR_clear_error()
            return false
        }
        ticketPending = true
        flush()
        return true
    }

    /// How long ago the session of a resumed connection was first made
    /// (OpenSSL's session time, whole seconds); nil for a full handshake.
    /// Tells a server whether the ticket the client used is worth renewing.
    public var resumedSessionAge: Duration? {
        loop.preconditionInLoop()
        guard isResumed, let session = SSL_get_session(ssl) else { return nil }
        let madeAt = SSL_SESSION_get_time(session)
        let now = Int(time(nil))
        return .seconds(max(0, now - madeAt))
    }

    /// Writes a ticket asked for with `issueSessionTicket`. False when the
    /// socket pushed back (interest is updated) or the connection failed.
    func writePendingTicket() -> Bool {
        guard ticketPending else { return true }
        switch classify(SSL_do_handshake(ssl)) {
        case .progressed:
            ticketPending = false
            return true
        case .wantWrite:
            sslWantsWrite = true
        case .wantRead:
            sslWantsRead = true
        case .peerClosed:
            abort(.peerClosed)
            return false
        case let .failed(detail):
            abort(.ioError(detail))
            return false
        }
        updateInterest()
        return false
    }
}
