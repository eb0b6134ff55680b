import COpenSSL

/// Why an `HTTPClient` exchange failed, by how far it got. Whether the request may have reached
/// the server decides whether a caller may send it again elsewhere: nothing was sent before
/// the connection and the handshake succeeded.
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No connection: refused, unreachable, no route (the system's reason). Nothing was sent.
    case connectFailed(String)
    /// The TLS handshake failed; `certificate` is what was wrong with the server's certificate
    /// when that was the cause. Nothing was sent.
    case handshakeFailed(String, certificate: CertificateFault?)
    /// No complete answer in time; `requestSent` tells whether the request was written.
    case timedOut(requestSent: Bool)
    /// The connection broke, or the answer was malformed, after the request was written.
    case exchangeFailed(String)
    /// The connection could not even be set up (a socket, the TLS state).
    case setupFailed(TransportError)
    /// The server refused the client certificate this client presented, with the alert OpenSSL
    /// names here (`TLSContext.clientCertificateRefusal`). In TLS 1.3 that alert comes after the
    /// request was written, but the server refused the connection before reading any of it.
    case clientCertificateRefused(String)

    /// True when the server may have received the request (and acted on it).
    public var mayHaveReachedServer: Bool {
        switch self {
        case .connectFailed, .handshakeFailed, .setupFailed, .clientCertificateRefused: false
        case let .timedOut(requestSent): requestSent
        case .exchangeFailed: true
        }
    }

    public var description: String {
        switch self {
        case let .connectFailed(detail): "cannot connect: \(detail)"
        case let .handshakeFailed(detail, _): "TLS handshake failed: \(detail)"
        case let .timedOut(requestSent): requestSent ? "no answer in time" : "timed out before the request was sent"
        case let .exchangeFailed(detail): "the exchange failed: \(detail)"
        case let .setupFailed(error): "\(error)"
        case let .clientCertificateRefused(alert): "the server refused the client certificate: \(alert)"
        }
    }
}

/// What was wrong with a server's certificate, from OpenSSL's verification result.
public enum CertificateFault: Sendable, Equatable {
    /// Not issued by a CA we trust (another cluster's, or self-signed).
    case untrustedIssuer
    /// The server's own certificate has expired.
    case expired
    /// A certificate above the server's in its chain (the CA) has expired.
    case issuerExpired
    case notYetValid
    /// Valid, but for another host name or address.
    case nameMismatch
    /// Any other verification failure, as OpenSSL words it.
    case other(String)

    /// The fault for an `X509_V_ERR_*` code; nil for `X509_V_OK`. `leafExpired` tells whether the
    /// server's own certificate is the expired one, when the code says one in the chain expired.
    init?(verifyResult code: Int, leafExpired: Bool = true) {
        switch Int32(truncatingIfNeeded: code) {
        case X509_V_OK: return nil
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
             X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, X509_V_ERR_CERT_SIGNATURE_FAILURE:
            self = .untrustedIssuer
        case X509_V_ERR_CERT_HAS_EXPIRED: self = leafExpired ? .expired : .issuerExpired
        case X509_V_ERR_CERT_NOT_YET_VALID: self = .notYetValid
        case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH: self = .nameMismatch
        default: self = .other(String(cString: X509_verify_cert_error_string(code)))
        }
    }
}
