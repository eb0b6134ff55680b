import COpenSSL

extension TLSConnection {
    /// The certificate the peer presented (DER), read from the live connection when asked, so a
    /// handshake copies nothing for the rare caller that needs it (a coordinator renewing an agent's
    /// certificate checks which CA signed it). Nil when the peer presented none. On a resumed
    /// session it is the certificate of the session's first, full handshake (the ticket's).
    public var peerCertificateDER: [UInt8]? {
        loop.preconditionInLoop()
        guard let certificate = SSL_get0_peer_certificate(ssl) else { return nil }
        let length = Int(i2d_X509(certificate, nil))
        guard length > 0 else { return nil }
        var der = [UInt8](repeating: 0, count: length)
        let written = der.withUnsafeMutableBufferPointer { buffer in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return Int(i2d_X509(certificate, &cursor))
        }
        return written == length ? der : nil
    }
}
