import COpenSSL

/// Session resumption policy of a context. A server with `sessionTickets`
/// issues one stateless ticket per handshake under the ring's newest key and
/// resumes tickets under any of its keys, without a server-side session cache,
/// and only for sessions a client certificate proved: a connection without one
/// (the agent port's enrollment, where the certificate is optional) gets no
/// ticket and a ticket without a certificate resumes nothing, so every
/// certificate-less connection runs a full handshake that asks for a certificate;
/// a server without issues none and keeps no session cache: it resumes nothing.
/// A client context hands the tickets it gets to the connection's
/// `TLSSessionCache`, if it has one.
extension TLSContext {
    /// The context ex_data slot that points at `ticketRing` for the key callback.
    static let ticketRingSlot: Int32 = {
        let slot = hs_SSL_CTX_get_ex_new_index()
        precondition(slot >= 0, "SSL_CTX_get_ex_new_index failed")
        return slot
    }()

    func applySessionPolicy(_ configuration: TLSConfiguration) throws(TransportError) {
        switch (side, configuration.sessionTickets) {
        case (.client, nil):
            _ = hs_SSL_CTX_set_session_cache_mode(context, Int(SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE))
            SSL_CTX_sess_set_new_cb(context, TLSSessionCache.newSessionCallback)
        case (.client, .some):
            throw .tls(operation: "session tickets", detail: "only a server context issues session tickets")
        case (.server, nil):
            // No tickets and no session cache: every connection is a full handshake, so an
            // identity is always from a certificate verified (and authorized) just now. (OpenSSL 3
            // caches no server session of a context that verifies peers without a session id
            // context either; this does not rest on that.)
            _ = hs_SSL_CTX_set_session_cache_mode(context, Int(SSL_SESS_CACHE_OFF))
            SSL_CTX_set_options(context, hs_SSL_OP_NO_TICKET())
            guard SSL_CTX_set_num_tickets(context, 0) == 1 else {
                throw .tls(operation: "SSL_CTX_set_num_tickets", detail: OpenSSLErrors.drain())
            }
        case let (.server, .some(tickets)):
            try enableTickets(tickets)
        }
    }

    /// OpenSSL 3.0.7 (`OPENSSL_VERSION_NUMBER` 0x30000070): before it, a TLS 1.3 ticket the key
    /// callback skips (every certificate-less connection, and an empty ring) went out malformed and
    /// the client failed the handshake (OpenSSL issue 18977).
    static let ticketSkippingVersionMinimum: UInt = 0x3000_0070

    private func enableTickets(_ tickets: SessionTickets) throws(TransportError) {
        guard OpenSSL_version_num() >= Self.ticketSkippingVersionMinimum else {
            throw .tls(operation: "session tickets", detail: "OpenSSL 3.0.7 or later is needed, not "
                + String(cString: OpenSSL_version(OPENSSL_VERSION)))
        }
        let sessionContext = Array(tickets.sessionContext.utf8)
        guard (1...SessionTickets.sessionContextLengthMaximum).contains(sessionContext.count) else {
            throw .tls(operation: "session tickets", detail: "the session context must be 1 to "
                + "\(SessionTickets.sessionContextLengthMaximum) bytes, not \(sessionContext.count)")
        }
        let seconds = tickets.lifetime.components.seconds
        guard tickets.lifetime == .seconds(seconds), tickets.lifetime >= .seconds(1),
              tickets.lifetime <= SessionTickets.lifetimeMaximum else {
            throw .tls(operation: "session tickets", detail: "the lifetime must be whole seconds from 1 s to "
                + "\(SessionTickets.lifetimeMaximum), not \(tickets.lifetime)")
        }
        _ = SSL_CTX_set_timeout(context, Int(seconds))
        _ = hs_SSL_CTX_set_session_cache_mode(context, Int(SSL_SESS_CACHE_OFF))
        guard SSL_CTX_set_session_id_context(context, sessionContext, UInt32(sessionContext.count)) == 1,
              SSL_CTX_set_num_tickets(context, 1) == 1,
              SSL_CTX_set_ex_data(context, Self.ticketRingSlot, Unmanaged.passUnretained(tickets.ring).toOpaque()) == 1,
              SSL_CTX_set_tlsext_ticket_key_evp_cb(context, Self.ticketKeyCallback) == 1,
              SSL_CTX_set_session_ticket_cb(context, nil, Self.ticketDecryptedCallback, nil) == 1 else {
            throw .tls(operation: "enabling session tickets", detail: OpenSSLErrors.drain())
        }
    }

    /// OpenSSL's ticket-key callback. Encrypting: the newest key, or no ticket
    /// at all (0, which OpenSSL from 3.0.7 treats as "skip this ticket" in TLS 1.3)
    /// when the ring is empty or the client showed no certificate. Decrypting: the key the ticket names; an
    /// unknown name is a full handshake (0); an older key resumes and asks
    /// for a renewed ticket under the newest key (2). -1 is a fatal error.
    private static let ticketKeyCallback: @convention(c) (
        OpaquePointer?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt8>?, OpaquePointer?, OpaquePointer?, Int32
    ) -> Int32 = { ssl, name, iv, cipher, mac, encrypt in
        guard let ssl, let name, let iv, let cipher, let mac, let context = SSL_get_SSL_CTX(ssl),
              let ringPointer = SSL_CTX_get_ex_data(context, ticketRingSlot) else { return -1 }
        let ring = Unmanaged<SessionTicketKeyRing>.fromOpaque(ringPointer).takeUnretainedValue()
        if encrypt == 1 {
            guard SSL_get0_peer_certificate(ssl) != nil, let key = ring.encryptionKey else { return 0 }
            name.update(from: key.name, count: SessionTicketKey.nameLength)
            return hs_ticket_crypto_setup(cipher, mac, key.aesKey, key.hmacKey, iv, 1)
        }
        let ticketName = UnsafeBufferPointer(start: UnsafePointer(name), count: SessionTicketKey.nameLength)
        guard let (key, isNewest) = ring.decryptionKey(named: ticketName) else { return 0 }
        guard hs_ticket_crypto_setup(cipher, mac, key.aesKey, key.hmacKey, iv, 0) == 1 else { return -1 }
        return isNewest ? 1 : 2
    }

    /// Runs once a ticket is decrypted, before the session is used: a session
    /// is resumed only if it has a client certificate and that certificate would pass a full handshake
    /// on this context now (`sessionCertificatePasses`): still valid, issued
    /// by a CA this context trusts — after a SIGHUP reload that is the CA in
    /// force, not the one that issued the ticket — and accepted by the
    /// authorizer. Otherwise the handshake goes on in full, so the client must
    /// present a certificate that passes today (an expired one or one from a
    /// CA no longer trusted fails verification; a renewed one gets in and a
    /// ticket for itself). Refusing the connection outright would instead
    /// lock out a client holding such a ticket until it expired.
    private static let ticketDecryptedCallback: @convention(c) (
        OpaquePointer?, OpaquePointer?, UnsafePointer<UInt8>?, Int, SSL_TICKET_STATUS, UnsafeMutableRawPointer?
    ) -> SSL_TICKET_RETURN = { ssl, session, _, _, status, _ in
        guard status == SSL_TICKET_SUCCESS || status == SSL_TICKET_SUCCESS_RENEW, let ssl, let session else {
            return SSL_TICKET_RETURN_IGNORE_RENEW
        }
        guard let certificate = SSL_SESSION_get0_peer(session), sessionCertificatePasses(certificate, on: ssl) else {
            return SSL_TICKET_RETURN_IGNORE_RENEW
        }
        return status == SSL_TICKET_SUCCESS ? SSL_TICKET_RETURN_USE : SSL_TICKET_RETURN_USE_RENEW
    }

    /// Whether `certificate` (an `X509 *`, a resumed session's client
    /// certificate) passes what a full handshake on `ssl` would check now:
    /// the chain to the trust roots of the `SSL`'s context, verified as an
    /// SSL client with the handshake's parameters (depth, time), then the
    /// context's authorizer. Leaves OpenSSL's error queue as it found it.
    static func sessionCertificatePasses(_ certificate: OpaquePointer, on ssl: OpaquePointer) -> Bool {
        guard let context = SSL_get_SSL_CTX(ssl), let store = SSL_CTX_get_cert_store(context),
              let verification = X509_STORE_CTX_new() else { return false }
        defer { X509_STORE_CTX_free(verification) }
        ERR_set_mark()
        defer { ERR_pop_to_mark() }
        guard X509_STORE_CTX_init(verification, store, certificate, nil) == 1,
              X509_STORE_CTX_set_default(verification, "ssl_client") == 1,
              X509_VERIFY_PARAM_set1(X509_STORE_CTX_get0_param(verification), SSL_get0_param(ssl)) == 1,
              X509_verify_cert(verification) == 1 else { return false }
        guard let boxPointer = hs_SSL_CTX_get_app_data(context) else { return true }
        let box = Unmanaged<AuthorizerBox>.fromOpaque(boxPointer).takeUnretainedValue()
        if case .success = box.authorize(certificate) { return true }
        return false
    }
}
