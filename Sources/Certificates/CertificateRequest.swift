import COpenSSL

/// An agent's own key and the certificate request (PKCS#10, DER) it sends to enroll or renew.
/// The key is generated here and never leaves the agent; the request carries its public half,
/// signed with it, and the agent's name as the subject common name.
public struct CertificateRequest: Sendable {
    /// The most bytes a request may have on the wire: a P-256 request is about 250.
    public static let derBytesMaximum = 4_096

    /// The new private key as unencrypted PKCS#8 PEM, for `NAME.key` (mode 0600).
    public let privateKeyPEM: [UInt8]
    /// The signed request, DER.
    public let der: [UInt8]

    /// Generates an ECDSA P-256 key and a request for `name`, signed with it.
    public static func make(name: String) throws(CertificateError) -> CertificateRequest {
        guard NodeIdentity.isValidName(name) else { throw .invalidName(name) }
        let key = try CertificateSigner.generateKey()
        defer { EVP_PKEY_free(key) }
        guard let request = X509_REQ_new() else { throw OpenSSLErrorQueue.error("allocate a certificate request") }
        defer { X509_REQ_free(request) }
        try fill(request, name: name, key: key)
        guard X509_REQ_sign(request, key, EVP_sha256()) > 0 else { throw OpenSSLErrorQueue.error("sign the certificate request") }
        let length = Int(i2d_X509_REQ(request, nil))
        guard length > 0, length <= derBytesMaximum else { throw OpenSSLErrorQueue.error("encode the certificate request") }
        var der = [UInt8](repeating: 0, count: length)
        let written = der.withUnsafeMutableBufferPointer { buffer in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return Int(i2d_X509_REQ(request, &cursor))
        }
        guard written == length else { throw OpenSSLErrorQueue.error("encode the certificate request") }
        return CertificateRequest(privateKeyPEM: try PEMCodec.encode(privateKey: key), der: der)
    }

    private static func fill(_ request: OpaquePointer, name: String, key: OpaquePointer) throws(CertificateError) {
        guard let subject = X509_NAME_new() else { throw OpenSSLErrorQueue.error("allocate a subject name") }
        defer { X509_NAME_free(subject) }
        let bytes = Array(name.utf8)
        guard X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8, bytes, Int32(bytes.count), -1, 0) == 1,
            X509_REQ_set_subject_name(request, subject) == 1, X509_REQ_set_pubkey(request, key) == 1
        else {
            throw OpenSSLErrorQueue.error("fill the certificate request")
        }
    }
}
