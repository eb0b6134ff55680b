import COpenSSL

/// Checks at process start that a node's certificate and key are usable: both
/// parse, belong together, chain to the cluster CA, are valid now, and name the
/// role (and optionally the node) the process expects to be.
public enum CertificateVerifier {
    /// Verifies the certificate at `certificatePath` and returns what it says, or
    /// throws the first problem found, in this order: a file is missing or
    /// unreadable; the key does not match; the chain does not lead to the CA; the
    /// certificate (or the CA) is expired or not yet valid at `nowUnixSeconds`;
    /// the identity is missing or has another role or name.
    public static func verify(
        certificatePath: String, privateKeyPath: String, caPath: String, expectedRole: NodeRole,
        expectedName: String?, nowUnixSeconds: Int64
    ) throws(CertificateError) -> CertificateInfo {
        let certificate = try PEMCodec.loadCertificate(certificatePath)
        defer { X509_free(certificate) }
        let key = try PEMCodec.loadPrivateKey(privateKeyPath)
        defer { EVP_PKEY_free(key) }
        let authorities = try PEMCodec.loadCertificates(caPath)
        defer { authorities.forEach { X509_free($0) } }
        return try verify(certificate, key: key, authorities: authorities,
                          paths: (certificatePath, privateKeyPath, caPath), expectedRole: expectedRole,
                          expectedName: expectedName, nowUnixSeconds: nowUnixSeconds)
    }

    /// `verify`'s checks on parsed objects (the caller keeps ownership); `paths` name them in errors.
    static func verify(
        _ certificate: OpaquePointer, key: OpaquePointer, authorities: [OpaquePointer],
        paths: (certificate: String, key: String, ca: String), expectedRole: NodeRole, expectedName: String?,
        nowUnixSeconds: Int64
    ) throws(CertificateError) -> CertificateInfo {
        let (certificatePath, privateKeyPath, caPath) = paths
        guard X509_check_private_key(certificate, key) == 1 else {
            ERR_clear_error()
            throw .keyMismatch(certificatePath: certificatePath, keyPath: privateKeyPath)
        }
        let authorityInfo = try verifyChain(certificate, path: certificatePath, authorities: authorities, caPath: caPath,
                                            nowUnixSeconds: nowUnixSeconds)
        let info = try CertificateInfo(certificate: certificate, path: certificatePath)
        try checkValidity(info, path: certificatePath, nowUnixSeconds: nowUnixSeconds)
        try checkValidity(authorityInfo, path: caPath, nowUnixSeconds: nowUnixSeconds)
        guard let identity = info.identity else {
            throw .missingIdentity(certificatePath)
        }
        guard identity.role == expectedRole else {
            throw .wrongRole(certificatePath, expected: expectedRole, found: identity.role.rawValue)
        }
        if let expectedName, identity.name != expectedName {
            throw .wrongName(certificatePath, expected: expectedName, found: identity.name)
        }
        return info
    }

    /// Runs OpenSSL's chain verification with the bundle's CAs as the only trust
    /// anchors and returns the anchor the chain ended at (during a rotation the
    /// bundle holds the old CA and the new). It verifies at `nowUnixSeconds` first,
    /// so that of two CAs with one subject and key (a renewal) the one valid now is
    /// chosen; when that fails only on a date, it finds the chain again without
    /// time checks and leaves the dates to `checkValidity`, which names the
    /// certificate that is out of its validity and its date.
    private static func verifyChain(
        _ certificate: OpaquePointer, path: String, authorities: [OpaquePointer], caPath: String, nowUnixSeconds: Int64
    ) throws(CertificateError) -> CertificateInfo {
        guard let store = X509_STORE_new() else {
            throw OpenSSLErrorQueue.error("allocate a certificate store")
        }
        defer { X509_STORE_free(store) }
        for authority in authorities {
            guard X509_STORE_add_cert(store, authority) == 1 else {
                throw OpenSSLErrorQueue.error("add the CA certificate to the trust store")
            }
        }
        let atNow = try anchor(of: certificate, in: store, path: path, caPath: caPath, checkingTimeAt: nowUnixSeconds)
        switch atNow {
        case let .verified(anchor):
            return anchor
        case let .refused(code) where code == X509_V_ERR_CERT_HAS_EXPIRED || code == X509_V_ERR_CERT_NOT_YET_VALID:
            switch try anchor(of: certificate, in: store, path: path, caPath: caPath, checkingTimeAt: nil) {
            case let .verified(anchor): return anchor
            case let .refused(code): throw .notSignedByCA(path, reason: String(cString: X509_verify_cert_error_string(Int(code))))
            }
        case let .refused(code):
            throw .notSignedByCA(path, reason: String(cString: X509_verify_cert_error_string(Int(code))))
        }
    }

    private enum Verification {
        case verified(CertificateInfo)
        case refused(Int32)
    }

    /// One run of `X509_verify_cert`: at `checkingTimeAt` (Unix seconds), or with time checks off.
    private static func anchor(
        of certificate: OpaquePointer, in store: OpaquePointer, path: String, caPath: String, checkingTimeAt time: Int64?
    ) throws(CertificateError) -> Verification {
        guard let context = X509_STORE_CTX_new() else {
            throw OpenSSLErrorQueue.error("allocate a verification context")
        }
        defer { X509_STORE_CTX_free(context) }
        guard X509_STORE_CTX_init(context, store, certificate, nil) == 1 else {
            throw OpenSSLErrorQueue.error("initialise certificate verification")
        }
        if let time {
            X509_STORE_CTX_set_flags(context, UInt(X509_V_FLAG_X509_STRICT))
            X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(context), time_t(time))
        } else {
            X509_STORE_CTX_set_flags(context, UInt(X509_V_FLAG_NO_CHECK_TIME | X509_V_FLAG_X509_STRICT))
        }
        guard X509_verify_cert(context) == 1 else {
            let code = X509_STORE_CTX_get_error(context)
            ERR_clear_error()
            return .refused(code)
        }
        guard let chain = X509_STORE_CTX_get0_chain(context), hs_sk_X509_num(chain) > 0,
              let anchor = hs_sk_X509_value(chain, hs_sk_X509_num(chain) - 1) else {
            throw OpenSSLErrorQueue.error("read the verified chain")
        }
        return .verified(try CertificateInfo(certificate: anchor, path: caPath))
    }

    private static func checkValidity(
        _ info: CertificateInfo, path: String, nowUnixSeconds: Int64
    ) throws(CertificateError) {
        guard nowUnixSeconds >= info.notBefore else {
            throw .notYetValid(path, notBefore: UnixTime.text(info.notBefore))
        }
        guard nowUnixSeconds <= info.notAfter else {
            throw .expired(path, notAfter: UnixTime.text(info.notAfter))
        }
    }
}
