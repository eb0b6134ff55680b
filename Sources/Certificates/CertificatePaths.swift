/// Where a newly written certificate and its private key live on disk.
public struct CertificatePaths: Sendable, Equatable {
    /// The PEM certificate, mode 0644.
    public let certificate: String
    /// The unencrypted PKCS#8 PEM private key, mode 0600.
    public let privateKey: String

    public init(certificate: String, privateKey: String) {
        self.certificate = certificate
        self.privateKey = privateKey
    }
}
