import COpenSSL
import Wire

/// The pin an enrolling agent trusts the cluster CA by before it has `ca.pem`: `sha256:HEX`, the
/// SHA-256 of the CA certificate's DER SubjectPublicKeyInfo, as kubeadm's discovery hash. It names
/// the CA's key, so a renewed CA certificate with the same key keeps the pin.
public struct CAPin: Sendable, Equatable, CustomStringConvertible {
    static let prefix = "sha256:"
    static let digestBytes = 32

    /// The 32 digest bytes.
    public let digest: [UInt8]

    /// Parses `sha256:` and 64 hexadecimal digits (either case); nil for anything else.
    public init?(text: String) {
        guard text.hasPrefix(Self.prefix) else { return nil }
        guard let bytes = HexText.bytes(text.dropFirst(Self.prefix.count), uppercaseAllowed: true),
              bytes.count == Self.digestBytes else { return nil }
        digest = bytes
    }

    init(digest: [UInt8]) {
        self.digest = digest
    }

    public var description: String {
        Self.prefix + HexText.lowercase(digest)
    }

    /// The pin of every certificate in a PEM bundle (a CA file during a rotation holds two).
    public static func pins(ofCertificateFile path: String) throws(CertificateError) -> [CAPin] {
        try pins(of: try PEMCodec.loadCertificates(path))
    }

    /// The pin of every certificate in the PEM bundle `bytes` (as a coordinator shows an enrolling agent).
    public static func pins(ofBundle bytes: [UInt8]) throws(CertificateError) -> [CAPin] {
        try pins(of: try PEMCodec.parseCertificates(bytes, source: "the CA bundle the coordinator showed"))
    }

    /// The pins of `certificates`, which it frees.
    private static func pins(of certificates: [OpaquePointer]) throws(CertificateError) -> [CAPin] {
        defer { certificates.forEach { X509_free($0) } }
        var pins: [CAPin] = []
        for certificate in certificates {
            pins.append(try pin(of: certificate))
        }
        return pins
    }

    /// The pin of one certificate's public key.
    static func pin(of certificate: OpaquePointer) throws(CertificateError) -> CAPin {
        guard let publicKey = X509_get_X509_PUBKEY(certificate) else {
            throw OpenSSLErrorQueue.error("read the CA certificate's public key")
        }
        let length = Int(i2d_X509_PUBKEY(publicKey, nil))
        guard length > 0 else { throw OpenSSLErrorQueue.error("encode the CA's SubjectPublicKeyInfo") }
        var der = [UInt8](repeating: 0, count: length)
        let written = der.withUnsafeMutableBufferPointer { buffer in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return Int(i2d_X509_PUBKEY(publicKey, &cursor))
        }
        guard written == length else { throw OpenSSLErrorQueue.error("encode the CA's SubjectPublicKeyInfo") }
        var digest = [UInt8](repeating: 0, count: digestBytes)
        var digestLength: UInt32 = 0
        guard EVP_Digest(der, der.count, &digest, &digestLength, EVP_sha256(), nil) == 1, digestLength == digestBytes else {
            throw OpenSSLErrorQueue.error("hash the CA's SubjectPublicKeyInfo")
        }
        return CAPin(digest: digest)
    }
}
