import COpenSSL

/// The fatal alert a client connection received, kept so a client can tell the server refusing
/// its certificate from any other failure. In TLS 1.3 the client's handshake is complete before
/// the server has checked the client's certificate, so that refusal arrives as an alert at the
/// first read, after the request was written; the server read nothing of it. In TLS 1.2 it
/// arrives inside the handshake, once the client sent its certificate flight.
extension TLSContext {
    /// The `SSL` ex_data slot holding the received fatal alert's description plus one, and
    /// `afterCertificateFlag` when it came after the client began sending its certificate flight
    /// (never a pointer: no memory is owned, so nothing is freed with the `SSL`).
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

    static let afterCertificateFlag = 0x1000

    /// The client's handshake states from its certificate on: an alert read in one of them
    /// answers the client's certificate flight (TLS 1.2: certificate, key exchange, certificate
    /// verify, change cipher spec, finished, all sent before the server's answer is read).
    static let certificateFlightStates: Set<UInt32> = [
        TLS_ST_CW_CERT.rawValue, TLS_ST_CW_KEY_EXCH.rawValue, TLS_ST_CW_CERT_VRFY.rawValue, TLS_ST_CW_CHANGE.rawValue,
        TLS_ST_CW_NEXT_PROTO.rawValue, TLS_ST_CW_FINISHED.rawValue,
    ]

    func recordReceivedAlerts() {
        SSL_CTX_set_info_callback(context, Self.infoCallback)
    }

    private static let infoCallback: @convention(c) (OpaquePointer?, Int32, Int32) -> Void = { ssl, location, value in
        guard let ssl, location & SSL_CB_READ_ALERT == SSL_CB_READ_ALERT, value >> 8 == SSL3_AL_FATAL else { return }
        let afterCertificate = certificateFlightStates.contains(SSL_get_state(ssl).rawValue) ? afterCertificateFlag : 0
        SSL_set_ex_data(ssl, receivedAlertSlot, UnsafeMutableRawPointer(bitPattern: (Int(value & 0xFF) + 1) | afterCertificate))
    }

    /// Why the server refused the certificate this client connection presented, as OpenSSL names
    /// the alert ("unknown CA", "certificate revoked", ...); nil when it presented none or the
    /// connection did not end with such an alert. A `handshake_failure` counts only once the
    /// client's certificate flight was sent: in TLS 1.3 once its handshake was complete
    /// (`handshakeCompleted`), in TLS 1.2 when the alert came after the client's certificate
    /// (`certificateFlightStates`). Before, it may refuse anything offered (a protocol version,
    /// the ciphers); after, only the client's certificate flight is left to refuse, and this
    /// server refuses a certificate its authorizer rejects with it.
    public static func clientCertificateRefusal(_ ssl: OpaquePointer, handshakeCompleted: Bool) -> String? {
        guard SSL_is_server(ssl) == 0, SSL_get_certificate(ssl) != nil,
              let stored = SSL_get_ex_data(ssl, receivedAlertSlot) else { return nil }
        let recorded = Int(bitPattern: stored)
        let alert = Int32((recorded & 0xFFF) - 1)
        let certificateSent = handshakeCompleted || recorded & afterCertificateFlag != 0
        guard certificateAlerts.contains(alert) || (certificateSent && alert == SSL_AD_HANDSHAKE_FAILURE) else { return nil }
        return String(cString: SSL_alert_desc_string_long(alert))
    }
}
