import COpenSSL

/// Generates keys and assembles, signs and returns X.509v3 certificates. Every
/// returned `OpaquePointer` is owned by the caller.
enum CertificateSigner {
    /// Serial numbers are 16 bytes: the top bit clear keeps them positive, the next
    /// bit set fixes their length at 127 bits, and the remaining 126 bits are random.
    static let serialLengthBytes = 16

    /// The signer of a certificate: its certificate and private key.
    struct Issuer {
        let certificate: OpaquePointer
        let privateKey: OpaquePointer
    }

    /// Generates an ECDSA P-256 private key; free it with `EVP_PKEY_free`.
    static func generateKey() throws(CertificateError) -> OpaquePointer {
        guard let key = hs_EVP_EC_gen("P-256") else {
            throw OpenSSLErrorQueue.error("generate an ECDSA P-256 key")
        }
        return key
    }

    /// Builds a certificate for `subjectKey` following `profile`, signed with
    /// SHA-256 by `issuer`, or self-signed when `issuer` is nil. Free it with
    /// `X509_free`.
    static func sign(
        _ profile: CertificateProfile, subjectKey: OpaquePointer, issuer: Issuer?
    ) throws(CertificateError) -> OpaquePointer {
        guard let certificate = X509_new() else {
            throw OpenSSLErrorQueue.error("allocate a certificate")
        }
        do throws(CertificateError) {
            try fill(certificate, profile: profile, subjectKey: subjectKey, issuer: issuer)
            let signingKey = issuer?.privateKey ?? subjectKey
            guard X509_sign(certificate, signingKey, EVP_sha256()) > 0 else {
                throw OpenSSLErrorQueue.error("sign the certificate")
            }
            return certificate
        } catch {
            X509_free(certificate)
            throw error
        }
    }

    private static func fill(
        _ certificate: OpaquePointer, profile: CertificateProfile, subjectKey: OpaquePointer,
        issuer: Issuer?
    ) throws(CertificateError) {
        guard X509_set_version(certificate, Int(X509_VERSION_3)) == 1 else {
            throw OpenSSLErrorQueue.error("set the certificate version")
        }
        try setSerialNumber(certificate)
        try setSubject(certificate, commonName: profile.commonName)
        let issuerName = X509_get_subject_name(issuer?.certificate ?? certificate)
        guard X509_set_issuer_name(certificate, issuerName) == 1 else {
            throw OpenSSLErrorQueue.error("set the certificate issuer")
        }
        guard ASN1_TIME_set(X509_getm_notBefore(certificate), time_t(profile.notBefore)) != nil,
            ASN1_TIME_set(X509_getm_notAfter(certificate), time_t(profile.notAfter)) != nil
        else {
            throw OpenSSLErrorQueue.error("set the certificate validity dates")
        }
        guard X509_set_pubkey(certificate, subjectKey) == 1 else {
            throw OpenSSLErrorQueue.error("set the certificate public key")
        }
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, issuer?.certificate ?? certificate, certificate, nil, nil, 0)
        for item in profile.extensions {
            try addExtension(certificate, item, context: &context)
        }
    }

    private static func setSerialNumber(_ certificate: OpaquePointer) throws(CertificateError) {
        var bytes = [UInt8](repeating: 0, count: serialLengthBytes)
        guard RAND_bytes(&bytes, Int32(bytes.count)) == 1 else {
            throw OpenSSLErrorQueue.error("generate a random serial number")
        }
        bytes[0] = (bytes[0] & 0x7F) | 0x40
        guard let number = BN_bin2bn(bytes, Int32(bytes.count), nil) else {
            throw OpenSSLErrorQueue.error("convert the serial number")
        }
        defer { BN_free(number) }
        guard BN_to_ASN1_INTEGER(number, X509_get_serialNumber(certificate)) != nil else {
            throw OpenSSLErrorQueue.error("set the serial number")
        }
    }

    private static func setSubject(_ certificate: OpaquePointer, commonName: String) throws(CertificateError) {
        guard let name = X509_NAME_new() else {
            throw OpenSSLErrorQueue.error("allocate a subject name")
        }
        defer { X509_NAME_free(name) }
        let bytes = Array(commonName.utf8)
        guard X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8, bytes, Int32(bytes.count), -1, 0) == 1,
            X509_set_subject_name(certificate, name) == 1
        else {
            throw OpenSSLErrorQueue.error("set the subject common name \"\(commonName)\"")
        }
    }

    private static func addExtension(
        _ certificate: OpaquePointer, _ item: CertificateProfile.Extension, context: inout X509V3_CTX
    ) throws(CertificateError) {
        guard let created = X509V3_EXT_conf_nid(nil, &context, item.nid, item.value) else {
            throw OpenSSLErrorQueue.error("create the \(String(cString: OBJ_nid2sn(item.nid))) extension \"\(item.value)\"")
        }
        defer { X509_EXTENSION_free(created) }
        guard X509_add_ext(certificate, created, -1) == 1 else {
            throw OpenSSLErrorQueue.error("add the \(String(cString: OBJ_nid2sn(item.nid))) extension")
        }
    }
}
