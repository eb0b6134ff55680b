import COpenSSL

/// What a certificate says about its holder: the HotSwap identity, subject name,
/// validity window and subject alternative names.
public struct CertificateInfo: Sendable, Equatable {
    /// The identity in the first `hotswap://` URI, or nil if there is none.
    public let identity: NodeIdentity?
    /// The subject common name, or an empty string if the subject has none.
    public let subjectCommonName: String
    /// Start of validity, in unix seconds.
    public let notBefore: Int64
    /// End of validity, in unix seconds.
    public let notAfter: Int64
    /// Subject alternative names as `URI:…`, `DNS:…`, `IP:…` or `email:…`.
    public let sans: [String]

    /// Reads a PEM certificate file; for tools and tests that show or check a
    /// certificate's contents. Performs no trust checks: see `CertificateVerifier`.
    public static func load(path: String) throws(CertificateError) -> CertificateInfo {
        let certificate = try PEMCodec.loadCertificate(path)
        defer { X509_free(certificate) }
        return try CertificateInfo(certificate: certificate, path: path)
    }

    /// The notBefore of an in-memory `X509 *` (the caller keeps ownership) in
    /// Unix seconds, or nil if it cannot be read; for checks that run inside a
    /// TLS handshake and need no other field.
    public static func notBeforeSeconds(ofCertificate certificate: OpaquePointer) -> Int64? {
        X509_get0_notBefore(certificate).flatMap(UnixTime.seconds(of:))
    }

    /// The notAfter of an in-memory `X509 *`, as `notBeforeSeconds` reads its notBefore.
    public static func notAfterSeconds(ofCertificate certificate: OpaquePointer) -> Int64? {
        X509_get0_notAfter(certificate).flatMap(UnixTime.seconds(of:))
    }

    /// Reads an in-memory `X509 *`; the caller keeps ownership. `path` names the
    /// source in errors.
    init(certificate: OpaquePointer, path: String) throws(CertificateError) {
        guard let notBeforeTime = X509_get0_notBefore(certificate),
            let notBefore = UnixTime.seconds(of: notBeforeTime),
            let notAfterTime = X509_get0_notAfter(certificate),
            let notAfter = UnixTime.seconds(of: notAfterTime)
        else {
            throw .unreadable(path, reason: "its validity dates cannot be parsed")
        }
        let sans = SubjectAlternativeNames.read(from: certificate)
        self.identity = NodeIdentity.identity(inEntries: sans)
        self.subjectCommonName = Self.commonName(of: certificate)
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.sans = sans
    }

    private static func commonName(of certificate: OpaquePointer) -> String {
        guard let subject = X509_get_subject_name(certificate) else {
            return ""
        }
        let index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1)
        guard index >= 0, let entry = X509_NAME_get_entry(subject, index),
            let value = X509_NAME_ENTRY_get_data(entry)
        else {
            return ""
        }
        var utf8: UnsafeMutablePointer<UInt8>?
        let length = ASN1_STRING_to_UTF8(&utf8, value)
        guard length >= 0, let utf8 else {
            ERR_clear_error()
            return ""
        }
        defer { hs_OPENSSL_free(utf8) }
        return String(decoding: UnsafeBufferPointer(start: utf8, count: Int(length)), as: UTF8.self)
    }
}
