import COpenSSL

/// The check an agent makes of a certificate a coordinator issued it (at enrollment and at each
/// renewal), in memory, before anything is written: `CertificateVerifier`'s checks (it carries the
/// public half of the agent's new key, chains to the agent's CA bundle and is valid now, role agent
/// and the agent's own name) and, besides, that it may authenticate a TLS client. An agent clock up
/// to the issuer's backdating (5 minutes) behind is allowed for on notBefore only: the check runs at
/// the certificate's notBefore when that is later than now, but never later than now plus the
/// allowance, so notAfter is judged no more leniently (enrollment would otherwise burn the token).
public enum IssuedCertificateCheck {
    /// What the certificate says, or the first problem with it.
    public static func verify(certificatePEM: [UInt8], privateKeyPEM: [UInt8], authorityPEM: [UInt8],
                              expectedName: String, nowUnixSeconds: Int64) throws(CertificateError) -> CertificateInfo {
        let source = "the issued certificate"
        let certificate = try PEMCodec.parseCertificate(certificatePEM)
        defer { X509_free(certificate) }
        let key = try PEMCodec.parsePrivateKey(privateKeyPEM)
        defer { EVP_PKEY_free(key) }
        let authorities = try PEMCodec.parseCertificates(authorityPEM, source: "the CA bundle")
        defer { authorities.forEach { X509_free($0) } }
        let notBefore = try CertificateInfo(certificate: certificate, path: source).notBefore
        let checkedAt = min(max(nowUnixSeconds, notBefore), nowUnixSeconds + CertificateProfile.clockSkewAllowanceSeconds)
        let info = try CertificateVerifier.verify(
            certificate, key: key, authorities: authorities, paths: (source, "the new key", "the CA bundle"),
            expectedRole: .agent, expectedName: expectedName, nowUnixSeconds: checkedAt)
        guard X509_get_extended_key_usage(certificate) & UInt32(XKU_SSL_CLIENT) != 0 else {
            throw .notSignedByCA(source, reason: "it does not allow TLS client authentication (extendedKeyUsage clientAuth)")
        }
        return info
    }

    /// Throws unless `privateKeyPEM` (read from `keyPath`) is the key of `certificatePEM` (from
    /// `certificatePath`): both readable, X509_check_private_key.
    public static func verifyPair(certificatePEM: [UInt8], privateKeyPEM: [UInt8],
                                  paths: (certificate: String, key: String)) throws(CertificateError) {
        let certificate = try PEMCodec.parseCertificate(certificatePEM)
        defer { X509_free(certificate) }
        let key = try PEMCodec.parsePrivateKey(privateKeyPEM)
        defer { EVP_PKEY_free(key) }
        guard X509_check_private_key(certificate, key) == 1 else {
            ERR_clear_error()
            throw .keyMismatch(certificatePath: paths.certificate, keyPath: paths.key)
        }
    }
}
