/// How a server context resumes TLS sessions: stateless tickets encrypted
/// with the keys of `ring`. Every server that shares the ring and the
/// `sessionContext` resumes the others' tickets, so a client can resume on
/// any of them.
public struct SessionTickets: Sendable {
    /// The longest ticket lifetime TLS 1.3 allows (RFC 8446, 4.6.1).
    public static let lifetimeMaximum: Duration = .seconds(7 * 24 * 3600)
    /// OpenSSL's bound on the session id context, in bytes.
    public static let sessionContextLengthMaximum = 32

    public var ring: SessionTicketKeyRing
    /// How long a ticket may be used; whole seconds, 1 s up to `lifetimeMaximum`.
    public var lifetime: Duration
    /// Names the service whose sessions these are (e.g. "hotswap-agent-port");
    /// must be the same on every server meant to resume the others' tickets.
    /// OpenSSL refuses resumption with client certificates without one.
    public var sessionContext: String

    public init(ring: SessionTicketKeyRing, lifetime: Duration, sessionContext: String) {
        self.ring = ring
        self.lifetime = lifetime
        self.sessionContext = sessionContext
    }
}
