import COpenSSL
import Glibc

/// Signs agent certificates from certificate requests with the cluster CA's key (`--signing-key`):
/// role agent, the name the caller decided (never one the request asks for), clientAuth only, no
/// other subject alternative name. Of a request only its public key is used, after its
/// self-signature is verified (Docs/CERTIFICATES.md, "Enrollment").
public struct AgentCertificateIssuer: Sendable {
    /// How long an issued certificate is valid unless asked otherwise: 30 days.
    public static let lifetimeSecondsDefault: Int64 = 30 * 24 * 3_600
    /// The shortest and longest lifetimes accepted: a minute (tests of renewal) to a year.
    public static let lifetimeSecondsRange: ClosedRange<Int64> = 60...(366 * 24 * 3_600)
    /// The smallest keys signed: P-256, or RSA 2048.
    static let ellipticKeyBitsMinimum: Int32 = 256
    static let rsaKeyBitsMinimum: Int32 = 2_048
    /// Of a key file's mode, only the group's read bit is allowed besides the owner's.
    static let forbiddenModeBits: mode_t = 0o7037

    /// The CA certificate and key, PEM: loaded per signature, which is rare.
    let authorityPEM: [UInt8]
    let keyPEM: [UInt8]
    public let lifetimeSeconds: Int64

    /// Loads the CA certificate (the first of `certificatePath`) and its key from `keyPath`, which
    /// must be a regular file nobody but its owner may write and nobody but its owner and group
    /// may read (0600, 0400 or 0440: a Kubernetes Secret mounted for a non-root process is
    /// 0440 root:fsGroup), and must match it.
    public init(
        certificatePath: String, keyPath: String, lifetimeSeconds: Int64 = lifetimeSecondsDefault
    ) throws(CertificateError) {
        guard Self.lifetimeSecondsRange.contains(lifetimeSeconds) else {
            throw .invalidValidityPeriod("a lifetime of \(lifetimeSeconds) s is outside \(Self.lifetimeSecondsRange) s")
        }
        try Self.checkPrivate(keyPath)
        let certificate = try PEMCodec.loadCertificate(certificatePath)
        defer { X509_free(certificate) }
        let key = try PEMCodec.loadPrivateKey(keyPath)
        defer { EVP_PKEY_free(key) }
        guard X509_check_private_key(certificate, key) == 1 else {
            ERR_clear_error()
            throw .keyMismatch(certificatePath: certificatePath, keyPath: keyPath)
        }
        authorityPEM = try PEMCodec.encode(certificate: certificate)
        keyPEM = try PEMCodec.encode(privateKey: key)
        self.lifetimeSeconds = lifetimeSeconds
    }

    /// The certificate (PEM) for agent `name` over the public key of `requestDER`, valid from five
    /// minutes before `nowUnixSeconds` for `lifetimeSeconds`.
    public func issue(requestDER: [UInt8], name: String, nowUnixSeconds: Int64) throws(CertificateError) -> [UInt8] {
        let identity = try NodeIdentity(role: .agent, name: name)
        let subjectKey = try Self.verifiedKey(requestDER)
        defer { EVP_PKEY_free(subjectKey) }
        let certificate = try PEMCodec.parseCertificate(authorityPEM)
        defer { X509_free(certificate) }
        let key = try PEMCodec.parsePrivateKey(keyPEM)
        defer { EVP_PKEY_free(key) }
        let profile = CertificateProfile.leaf(
            identity: identity, subjectAlternativeNames: ["URI:\(identity.uri)"],
            notBefore: nowUnixSeconds - CertificateProfile.clockSkewAllowanceSeconds, notAfter: nowUnixSeconds + lifetimeSeconds)
        let issued = try CertificateSigner.sign(
            profile, subjectKey: subjectKey, issuer: CertificateSigner.Issuer(certificate: certificate, privateKey: key))
        defer { X509_free(issued) }
        return try PEMCodec.encode(certificate: issued)
    }

    /// Throws unless `requestDER` is a request `issue` would sign: checked before a join token is
    /// used, so a bad request costs the token nothing.
    public static func check(requestDER: [UInt8]) throws(CertificateError) {
        EVP_PKEY_free(try verifiedKey(requestDER))
    }

    /// The request's public key once its self-signature verifies and the key is strong enough.
    static func verifiedKey(_ der: [UInt8]) throws(CertificateError) -> OpaquePointer {
        guard !der.isEmpty, der.count <= CertificateRequest.derBytesMaximum else {
            throw .invalidRequest("\(der.count) bytes; a request has 1 to \(CertificateRequest.derBytesMaximum)")
        }
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_X509_REQ(nil, &cursor, buffer.count)
        }
        guard let request = parsed else {
            ERR_clear_error()
            throw .invalidRequest("not a DER PKCS#10 certificate request")
        }
        defer { X509_REQ_free(request) }
        guard let key = X509_REQ_get_pubkey(request) else {
            ERR_clear_error()
            throw .invalidRequest("it carries no usable public key")
        }
        guard X509_REQ_verify(request, key) == 1 else {
            ERR_clear_error()
            EVP_PKEY_free(key)
            throw .invalidRequest("its signature does not verify with its own key")
        }
        let bits = EVP_PKEY_get_bits(key)
        let strong = switch EVP_PKEY_get_base_id(key) {
        case EVP_PKEY_EC: bits >= ellipticKeyBitsMinimum
        case EVP_PKEY_RSA: bits >= rsaKeyBitsMinimum
        default: false
        }
        guard strong else {
            EVP_PKEY_free(key)
            throw .invalidRequest("its key is neither ECDSA of \(ellipticKeyBitsMinimum)+ bits nor RSA of \(rsaKeyBitsMinimum)+ bits")
        }
        return key
    }

    /// The file `path` names, symbolic links followed (a Kubernetes Secret volume's files are links
    /// into its `..data` directory), must be a regular file no one but its owner and group can read.
    private static func checkPrivate(_ path: String) throws(CertificateError) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw errno == ENOENT ? .fileMissing(path) : .unreadable(path, reason: String(cString: strerror(errno)))
        }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .exposedKey(path, reason: "is not a regular file") }
        let mode = status.st_mode & 0o7777
        guard mode & Self.forbiddenModeBits == 0 else { throw .exposedKey(path, reason: "has mode \(String(mode, radix: 8))") }
    }
}
