/// The enrollment exchange an agent without a certificate has with a coordinator
/// (Docs/CERTIFICATES.md, "Enrollment"): the coordinator first shows the CA bundle it serves
/// with (`EnrollmentAuthority`), which the agent checks against its pinned CA hash before it
/// sends anything; the agent then sends its token and certificate request
/// (`EnrollmentRequest`) and gets a certificate or one refusal (`EnrollmentAnswer`).
public struct EnrollmentAuthority: Equatable, Sendable {
    /// `ca.pem` as the coordinator trusts it (PEM, one to a few CA certificates).
    public var authorityPEM: [UInt8]

    public init(authorityPEM: [UInt8]) {
        self.authorityPEM = authorityPEM
    }
}

/// An agent's enrollment: its join token's text, the name and environment it will report, and
/// its certificate request (PKCS#10, DER). A renewal sends an empty token on a connection
/// that presented its current certificate.
public struct EnrollmentRequest: Equatable, Sendable {
    public var token: [UInt8]
    public var nodeName: String
    public var environment: String
    public var certificateRequestDER: [UInt8]

    public init(token: [UInt8], nodeName: String, environment: String, certificateRequestDER: [UInt8]) {
        self.token = token
        self.nodeName = nodeName
        self.environment = environment
        self.certificateRequestDER = certificateRequestDER
    }
}

/// The coordinator's answer: the signed certificate with the CA bundle, or why not (one message
/// for every token failure).
public enum EnrollmentAnswer: Equatable, Sendable {
    case issued(certificatePEM: [UInt8], authorityPEM: [UInt8])
    case refused(String)
}

/// Bounds of the enrollment messages.
public enum EnrollmentLimits {
    /// A join token's text (`ID.SECRET` is 77 bytes).
    public static let tokenBytesMaximum = 256
    /// A certificate request: a P-256 one is about 250 bytes.
    public static let certificateRequestBytesMaximum = 4_096
    /// A CA bundle of up to 16 certificates, or one certificate.
    public static let pemBytesMaximum = 65_536
    /// The frames a connection without a certificate may send (its one `EnrollmentRequest`), as a
    /// frame's length field counts them (payload + 2). The largest legitimate request, an RSA 4096
    /// certificate request (1,171 bytes DER with a 63-byte name, measured with `openssl req`) with a
    /// 77-byte token and 64-byte names, is 1 + (4 + 77) + (4 + 63) + (4 + 64) + (4 + 1,171) = 1,392
    /// payload bytes; the largest the codec decodes at all is 1 + (4 + 256) + 2 × (4 + 64) + (4 + 4,096)
    /// = 4,497. 8 KiB holds that with room and keeps what one such connection buffers small.
    public static let requestFrameBytesMaximum = 8_192
}
