import COpenSSL

/// The cluster's own certificate authority, kept as `ca.pem` and `ca.key` in one
/// directory: creates that CA and issues node certificates into the same
/// directory. Nothing here ever overwrites an existing file.
public struct CertificateAuthority {
    public static let certificateFileName = "ca.pem"
    public static let privateKeyFileName = "ca.key"
    public static let defaultCommonName = "HotSwap cluster CA"

    /// The longest CA common name X.509 allows, in characters.
    static let commonNameLengthMaximum = 64

    /// The latest date an X.509 time can express, 9999-12-31 23:59:59 UTC.
    static let notAfterMaximumUnixSeconds: Int64 = 253_402_300_799

    /// Where the CA of `directory` keeps its certificate and key.
    public static func authorityPaths(directory: String) -> CertificatePaths {
        CertificatePaths(
            certificate: join(directory, certificateFileName),
            privateKey: join(directory, privateKeyFileName))
    }

    /// Where a node named `name` has its certificate and key in `directory`.
    public static func nodePaths(directory: String, name: String) -> CertificatePaths {
        CertificatePaths(certificate: join(directory, name + ".pem"), privateKey: join(directory, name + ".key"))
    }

    /// Creates a new CA: makes `directory` (mode 0700) if missing, then writes
    /// `ca.pem` (0644) and `ca.key` (0600). Refuses if either file already exists.
    public static func initialize(
        directory: String, commonName: String = defaultCommonName, validityDays: Int = 3650
    ) throws(CertificateError) -> CertificatePaths {
        let count = commonName.unicodeScalars.count
        guard count >= 1, count <= commonNameLengthMaximum else {
            throw .invalidCommonName(commonName)
        }
        let window = try CertificateProfile.window(validityDays: validityDays, nowUnixSeconds: UnixTime.now())
        try PosixFile.ensureDirectory(directory)
        let paths = authorityPaths(directory: directory)
        try refuseExisting(paths)
        let key = try CertificateSigner.generateKey()
        defer { EVP_PKEY_free(key) }
        let profile = CertificateProfile.authority(
            commonName: commonName, notBefore: window.notBefore, notAfter: window.notAfter)
        let certificate = try CertificateSigner.sign(profile, subjectKey: key, issuer: nil)
        defer { X509_free(certificate) }
        try write(certificate: certificate, key: key, to: paths, directory: directory)
        return paths
    }

    /// How far back a new certificate's validity starts unless asked otherwise: five minutes,
    /// so that a peer whose clock lags a little accepts it at once.
    public static let backdateSecondsDefault = CertificateProfile.clockSkewAllowanceSeconds
    public static let backdateSecondsMaximum = CertificateProfile.backdateSecondsMaximum

    /// Issues a certificate for `identity`, valid from `backdateSeconds` ago (five minutes
    /// by default, at most an hour) for `validityDays`, signed by the CA in `directory`, and
    /// writes `NAME.pem` (0644) and `NAME.key` (0600) there. A coordinator given no IP
    /// addresses and no DNS names gets `DNS:localhost`, `IP:127.0.0.1` and `IP:::1`.
    /// Refuses to overwrite.
    public static func issue(
        directory: String, identity: NodeIdentity, ipAddresses: [String], dnsNames: [String],
        validityDays: Int = 365, backdateSeconds: Int64 = backdateSecondsDefault
    ) throws(CertificateError) -> CertificatePaths {
        let window = try CertificateProfile.window(validityDays: validityDays, nowUnixSeconds: UnixTime.now(),
                                                   backdateSeconds: backdateSeconds)
        return try issue(
            directory: directory, identity: identity, ipAddresses: ipAddresses, dnsNames: dnsNames,
            notBefore: window.notBefore, notAfter: window.notAfter)
    }

    /// Like `issue(directory:identity:ipAddresses:dnsNames:validityDays:)` with an
    /// explicit validity window in unix seconds. For tests and tooling that need a
    /// certificate that is already expired or not yet valid.
    public static func issue(
        directory: String, identity: NodeIdentity, ipAddresses: [String], dnsNames: [String],
        notBefore: Int64, notAfter: Int64
    ) throws(CertificateError) -> CertificatePaths {
        guard notBefore >= 0, notBefore < notAfter, notAfter <= notAfterMaximumUnixSeconds else {
            throw .invalidValidityPeriod(
                "notBefore \(notBefore) must be at least 0 and before notAfter \(notAfter), "
                    + "which must be at most \(notAfterMaximumUnixSeconds) (unix seconds)")
        }
        let entries = try SubjectAlternativeNames.entries(
            identity: identity, ipAddresses: ipAddresses, dnsNames: dnsNames)
        let paths = nodePaths(directory: directory, name: identity.name)
        try refuseExisting(paths)
        let authority = authorityPaths(directory: directory)
        let authorityCertificate = try PEMCodec.loadCertificate(authority.certificate)
        defer { X509_free(authorityCertificate) }
        let authorityKey = try PEMCodec.loadPrivateKey(authority.privateKey)
        defer { EVP_PKEY_free(authorityKey) }
        guard X509_check_private_key(authorityCertificate, authorityKey) == 1 else {
            ERR_clear_error()
            throw .keyMismatch(certificatePath: authority.certificate, keyPath: authority.privateKey)
        }
        let key = try CertificateSigner.generateKey()
        defer { EVP_PKEY_free(key) }
        let profile = CertificateProfile.leaf(
            identity: identity, subjectAlternativeNames: entries, notBefore: notBefore, notAfter: notAfter)
        let issuer = CertificateSigner.Issuer(certificate: authorityCertificate, privateKey: authorityKey)
        let certificate = try CertificateSigner.sign(profile, subjectKey: key, issuer: issuer)
        defer { X509_free(certificate) }
        try write(certificate: certificate, key: key, to: paths, directory: directory)
        return paths
    }

    private static func refuseExisting(_ paths: CertificatePaths) throws(CertificateError) {
        for path in [paths.certificate, paths.privateKey] where PosixFile.exists(path) {
            throw .fileExists(path)
        }
    }

    /// Writes the certificate, then the key, then syncs the directory; on any
    /// failure the files already written are removed so no half pair is left behind.
    private static func write(
        certificate: OpaquePointer, key: OpaquePointer, to paths: CertificatePaths, directory: String
    ) throws(CertificateError) {
        let certificatePEM = try PEMCodec.encode(certificate: certificate)
        var keyPEM = try PEMCodec.encode(privateKey: key)
        defer { keyPEM.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        try PosixFile.createExclusive(paths.certificate, bytes: certificatePEM, mode: 0o644)
        do throws(CertificateError) {
            try PosixFile.createExclusive(paths.privateKey, bytes: keyPEM, mode: 0o600)
        } catch {
            PosixFile.remove(paths.certificate)
            throw error
        }
        do throws(CertificateError) {
            try PosixFile.syncDirectory(directory)
        } catch {
            PosixFile.remove(paths.privateKey)
            PosixFile.remove(paths.certificate)
            throw error
        }
    }

    private static func join(_ directory: String, _ file: String) -> String {
        directory.hasSuffix("/") ? directory + file : directory + "/" + file
    }
}
