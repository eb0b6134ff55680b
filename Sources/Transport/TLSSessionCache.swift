import COpenSSL

/// The newest resumable TLS session a client received (a TLS 1.3 ticket),
/// offered on its next connection to whichever server it dials; a server that
/// cannot resume it runs a full handshake. Tickets arrive after the handshake
/// and each replaces the one held. Resuming skips the server's certificate:
/// the server proves itself by decrypting the ticket, which only holders of
/// the cluster's ticket keys can. Confined to `loop`, like the connections
/// that use it: every member must be used on `loop` (checked).
///
/// The cache holds its own copy of the session and gives each connection
/// another: OpenSSL marks a connection's session unresumable when the
/// connection is freed without having sent close_notify — exactly what
/// happens when the server is killed — and a shared object would spoil the
/// cache for the reconnect it exists for. (TLS 1.1 and later allow resuming
/// such sessions.)
public final class TLSSessionCache: @unchecked Sendable {
    public let loop: EventLoop
    /// An owned reference to an `SSL_SESSION`, or nil.
    private var session: OpaquePointer?
    /// Bumped by `clear`: tickets reach the cache only from connections
    /// attached in the current generation.
    private var generation: UInt64 = 0

    /// What a client connection's `SSL` points at: the cache, and the
    /// generation the connection was attached in.
    final class Attachment {
        let cache: TLSSessionCache
        let generation: UInt64

        init(cache: TLSSessionCache, generation: UInt64) {
            self.cache = cache
            self.generation = generation
        }
    }

    public init(loop: EventLoop) {
        self.loop = loop
    }

    deinit {
        if let session { SSL_SESSION_free(session) }
    }

    public var hasSession: Bool {
        loop.preconditionInLoop()
        return session != nil
    }

    /// Forgets the held session; the next connection runs a full handshake.
    /// Tickets that connections attached before now receive later are not
    /// kept either: a session carries the client certificate it was first
    /// made with, so after new credentials none made with the old ones may
    /// be resumed.
    public func clear() {
        loop.preconditionInLoop()
        replace(with: nil)
        generation &+= 1
    }

    /// The held session's ticket bytes (key name, IV, ciphertext, MAC); empty when none is held.
    var ticket: [UInt8] {
        loop.preconditionInLoop()
        guard let session else { return [] }
        var bytes: UnsafePointer<UInt8>?
        var length = 0
        SSL_SESSION_get0_ticket(session, &bytes, &length)
        guard let bytes else { return [] }
        return Array(UnsafeBufferPointer(start: bytes, count: length))
    }

    private func replace(with newSession: OpaquePointer?) {
        if let session { SSL_SESSION_free(session) }
        session = newSession
    }

    /// Makes `connection` offer the held session and store the tickets it
    /// receives here. A session OpenSSL will not offer is dropped: full
    /// handshake. Should OpenSSL have no memory for the link, the connection
    /// simply goes without the cache.
    func attach(to connection: TLSConnection) {
        loop.preconditionInLoop()
        precondition(connection.loop === loop, "a session cache serves the connections of its own loop")
        let attachment = Attachment(cache: self, generation: generation)
        connection.sessionCacheAttachment = attachment
        guard SSL_set_ex_data(connection.ssl, Self.connectionSlot, Unmanaged.passUnretained(attachment).toOpaque()) == 1 else {
            return ERR_clear_error()
        }
        guard let session else { return }
        guard let offered = SSL_SESSION_dup(session) else { return ERR_clear_error() }
        defer { SSL_SESSION_free(offered) }
        guard SSL_set_session(connection.ssl, offered) != 1 else { return }
        ERR_clear_error()
        replace(with: nil)
    }

    /// The `SSL` ex_data slot that points at the cache of a client connection.
    /// Slot 0 is the application's and holds the authorizer's rejection.
    static let connectionSlot: Int32 = {
        let slot = hs_SSL_get_ex_new_index()
        precondition(slot > 0, "SSL_get_ex_new_index failed")
        return slot
    }()

    /// OpenSSL's new-session callback on client contexts, called on the
    /// connection's loop while it reads a ticket. The cache keeps a copy, so
    /// it returns 0: OpenSSL keeps its own reference to the original.
    static let newSessionCallback: @convention(c) (OpaquePointer?, OpaquePointer?) -> Int32 = { ssl, session in
        guard let ssl, let session, SSL_SESSION_is_resumable(session) == 1,
              let pointer = SSL_get_ex_data(ssl, connectionSlot) else { return 0 }
        let attachment = Unmanaged<Attachment>.fromOpaque(pointer).takeUnretainedValue()
        guard attachment.generation == attachment.cache.generation else { return 0 }
        guard let copy = SSL_SESSION_dup(session) else {
            ERR_clear_error()
            return 0
        }
        attachment.cache.replace(with: copy)
        return 0
    }
}
