import COpenSSL

/// The fatal alert a client connection received, kept so a client can tell the server refusing
/// its certificate from any other failure. In TLS 1.3 the client's handshake is complete before
/// the server has checked the client's certificate, so that refusal arrives as an alert at the
/// first read, after the request was written; the server read nothing of it. In TLS 1.2 it
/// arrives inside the handshake, once the client sent its certificate flight.
extension TLSContext {
    /// The `SSL` ex_data slot holding the received fatal alert's description plus one (0: none
    /// read), and `certificateSentFlag` once the client wrote its certificate (never a pointer:
    /// no memory is owned, so nothing is freed with the `SSL`).
    static let receivedAlertSlot: Int32 = {
        let slot = hs_SSL_get_ex_new_index()
        precondition(slot > 0, "SSL_get_ex_new_index failed")
        return slot
    }()

    /// Alerts that refuse the certificate the client presented, whenever they come.
    static let certificateAlerts: Set<Int32> = [
        SSL_AD_BAD_CERTIFICATE, SSL_AD_UNSUPPORTED_CERTIFICATE, SSL_AD_CERTIFICATE_REVOKED, SSL_AD_CERTIFICATE_EXPIRED,
        SSL_AD_CERTIFICATE_UNKNOWN, SSL_AD_UNKNOWN_CA, SSL_AD_ACCESS_DENIED, SSL_AD_CERTIFICATE_REQUIRED,
    ]

    static let certificateSentFlag = 0x1000
    static let alertMask = 0xFFF

    func recordReceivedAlerts() {
        SSL_CTX_set_info_callback(context, Self.infoCallback)
    }

    /// Notes the client's certificate flight and any fatal alert read. OpenSSL reports
    /// `SSL_CB_CONNECT_LOOP` before each move of its write state machine, in the state it leaves:
    /// seen in `TLS_ST_CW_CERT`, the client has written its Certificate message, which it does
    /// only when the server sent a CertificateRequest (in either version). A handshake without
    /// one (no certificate asked for, or a resumed session) never passes through that state.
    private static let infoCallback: @convention(c) (OpaquePointer?, Int32, Int32) -> Void = { ssl, location, value in
        guard let ssl else { return }
        let recorded = SSL_get_ex_data(ssl, receivedAlertSlot).map { Int(bitPattern: $0) } ?? 0
        var updated = recorded
        if location & SSL_CB_CONNECT_LOOP == SSL_CB_CONNECT_LOOP, SSL_get_state(ssl) == TLS_ST_CW_CERT {
            updated |= certificateSentFlag
        }
        if location & SSL_CB_READ_ALERT == SSL_CB_READ_ALERT, value >> 8 == SSL3_AL_FATAL, recorded & alertMask == 0 {
            updated |= Int(value & 0xFF) + 1
        }
        guard updated != recorded else { return }
        SSL_set_ex_data(ssl, receivedAlertSlot, UnsafeMutableRawPointer(bitPattern: updated))
    }

    /// Why the server refused the certificate this client connection presented, as OpenSSL names
    /// the alert ("unknown CA", "certificate revoked", ...); nil when it presented none or the
    /// connection did not end with such an alert. A `handshake_failure` counts only once the
    /// client wrote its certificate (`certificateSentFlag`): before, it may refuse anything
    /// offered (a protocol version, the ciphers); after, only the client's certificate flight is
    /// left to refuse, and this server refuses a certificate its authorizer rejects with it. A
    /// certificate configured but never asked for was never sent, so was never refused.
    public static func clientCertificateRefusal(_ ssl: OpaquePointer) -> String? {
        guard SSL_is_server(ssl) == 0, SSL_get_certificate(ssl) != nil,
              let stored = SSL_get_ex_data(ssl, receivedAlertSlot) else { return nil }
        let recorded = Int(bitPattern: stored)
        let alert = Int32((recorded & alertMask) - 1)
        let certificateSent = recorded & certificateSentFlag != 0
        guard certificateAlerts.contains(alert) || (certificateSent && alert == SSL_AD_HANDSHAKE_FAILURE) else { return nil }
        return String(cString: SSL_alert_desc_string_long(alert))
    }
}
