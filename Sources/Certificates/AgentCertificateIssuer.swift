import COpenSSL
import Glibc

/// Signs agent certificates from certificate requests with the cluster CA's key (`--signing-key`), both parsed once:
/// role agent, the name the caller decided (never one the request asks for), clientAuth only, no
/// other subject alternative name. Of a request only its public key is used, after its
/// self-signature is verified (Docs/CERTIFICATES.md, "Enrollment").
public struct AgentCertificateIssuer: Sendable {
    /// How long an issued certificate is valid unless asked otherwise: 30 days.
    public static let lifetimeSecondsDefault: Int64 = 30 * 24 * 3_600
    /// The shortest and longest lifetimes accepted: a minute (tests of renewal) to a year.
    public static let lifetimeSecondsRange: ClosedRange<Int64> = 60...(366 * 24 * 3_600)
    /// The keys signed: ECDSA on P-256 or P-384, or RSA of 2048 to 4096 bits (a larger one costs
    /// every handshake and proves nothing more).
    static let ellipticCurves: Set<String> = ["prime256v1", "secp384r1"]
    static let rsaKeyBits: ClosedRange<Int32> = 2_048...4_096
    /// Of a key file's mode, only the group's read bit is allowed besides the owner's.
    static let forbiddenModeBits: mode_t = 0o7037

    /// The CA certificate and key, parsed once.
    private let authority: SigningAuthority
    public let lifetimeSeconds: Int64
    /// How far an issued certificate's notBefore lies before its issue (`CertificateRenewalWindow`'s backdating).
    public static let backdatingSeconds = CertificateProfile.clockSkewAllowanceSeconds

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
        let key: OpaquePointer
        do {
            key = try PEMCodec.loadPrivateKey(keyPath)
        } catch {
            X509_free(certificate)
            throw error
        }
        // Owned from here: freed when the last issuer holding them goes.
        authority = SigningAuthority(certificate: certificate, key: key)
        guard X509_check_private_key(certificate, key) == 1 else {
            ERR_clear_error()
            throw .keyMismatch(certificatePath: certificatePath, keyPath: keyPath)
        }
        self.lifetimeSeconds = lifetimeSeconds
    }

    /// The certificate (PEM) for agent `name` over the public key of `requestDER`, valid from five
    /// minutes before `nowUnixSeconds` for `lifetimeSeconds`.
    public func issue(requestDER: [UInt8], name: String, nowUnixSeconds: Int64) throws(CertificateError) -> [UInt8] {
        let identity = try NodeIdentity(role: .agent, name: name)
        let subjectKey = try Self.verifiedKey(requestDER)
        defer { EVP_PKEY_free(subjectKey) }
        let profile = CertificateProfile.leaf(
            identity: identity, subjectAlternativeNames: ["URI:\(identity.uri)"],
            notBefore: nowUnixSeconds - Self.backdatingSeconds, notAfter: nowUnixSeconds + lifetimeSeconds)
        let issued = try CertificateSigner.sign(
            profile, subjectKey: subjectKey,
            issuer: CertificateSigner.Issuer(certificate: authority.certificate, privateKey: authority.key))
        defer { X509_free(issued) }
        return try PEMCodec.encode(certificate: issued)
    }

    /// Whether the certificate `der` carries a signature of this issuer's CA key (X509_verify): a
    /// certificate of another CA (before a rotation) is not renewed by this one.
    public func hasSigned(certificateDER der: [UInt8]) -> Bool {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_X509(nil, &cursor, buffer.count)
        }
        guard let certificate = parsed else {
            ERR_clear_error()
            return false
        }
        defer { X509_free(certificate) }
        let verified = X509_verify(certificate, authority.key) == 1
        ERR_clear_error()
        return verified
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
        if let weakness = weakness(of: key) {
            EVP_PKEY_free(key)
            throw .invalidRequest(weakness)
        }
        return key
    }

    /// Why `key` is not one `issue` signs, or nil when it is.
    static func weakness(of key: OpaquePointer) -> String? {
        switch EVP_PKEY_get_base_id(key) {
        case EVP_PKEY_EC:
            var name = [CChar](repeating: 0, count: 64)
            var length = 0
            guard EVP_PKEY_get_group_name(key, &name, name.count, &length) == 1 else {
                ERR_clear_error()
                return "its elliptic curve cannot be read"
            }
            let curve = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return ellipticCurves.contains(curve) ? nil : "its elliptic curve \(curve) is neither P-256 nor P-384"
        case EVP_PKEY_RSA:
            let bits = EVP_PKEY_get_bits(key)
            guard rsaKeyBits.contains(bits) else {
                return "its RSA key has \(bits) bits, not \(rsaKeyBits.lowerBound) to \(rsaKeyBits.upperBound)"
            }
            return nil
        default:
            return "its key is neither ECDSA (P-256, P-384) nor RSA"
        }
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

/// The CA's certificate and key as OpenSSL objects, owned here and freed with the last issuer that
/// holds them. Never changed after init: OpenSSL reads a certificate and signs with a key from
/// several threads at once, which is all `issue` does with them, so sharing them is safe.
final class SigningAuthority: @unchecked Sendable {
    let certificate: OpaquePointer
    let key: OpaquePointer

    init(certificate: OpaquePointer, key: OpaquePointer) {
        self.certificate = certificate
        self.key = key
    }

    deinit {
        X509_free(certificate)
        EVP_PKEY_free(key)
    }
}
