import Primitives

/// An agent's request for a fresh certificate, sent on its authenticated session
/// (Docs/CERTIFICATES.md, "Renewal"): only its new key's certificate request (PKCS#10, DER). It
/// names nothing: the coordinator signs for the name of the certificate the session presented.
/// The answer is an `EnrollmentAnswer` (`EnrollmentCodec`).
public struct CertificateRenewalRequest: Equatable, Sendable {
    public var certificateRequestDER: [UInt8]

    public init(certificateRequestDER: [UInt8]) {
        self.certificateRequestDER = certificateRequestDER
    }
}

/// Encodes and decodes `CertificateRenewalRequest`: a version byte, then the request, u32-length
/// prefixed, 1 to `EnrollmentLimits.certificateRequestBytesMaximum` bytes; trailing bytes refused.
public enum CertificateRenewalCodec {
    static let version: UInt8 = 1

    public static func encode(_ request: CertificateRenewalRequest) -> [UInt8] {
        var writer = VersionedMessage.writer(version, reservingCapacity: 8 + request.certificateRequestDER.count)
        writer.writeLengthPrefixed(request.certificateRequestDER)
        return writer.bytes
    }

    public static func decodeRequest(_ bytes: [UInt8]) throws(BinaryDecodingError) -> CertificateRenewalRequest {
        var reader = try VersionedMessage.reader(bytes, version: version)
        let offset = reader.offset
        let der = try reader.readLengthPrefixed(maximumBytes: EnrollmentLimits.certificateRequestBytesMaximum)
        guard !der.isEmpty else { throw .invalidValue(offset: offset, detail: "an empty certificate request") }
        try reader.expectEnd()
        return CertificateRenewalRequest(certificateRequestDER: der)
    }
}

/// When a certificate may be renewed: in the last third of its lifetime, counted from when it was
/// issued. Certificates are backdated (`backdatingSeconds`, 5 minutes for HotSwap's, against
/// clock skew), so the issue time is notBefore plus that, unless the certificate is shorter than
/// its backdating. The agent asks from `opensAtSeconds` on; the coordinator refuses a request
/// whose session certificate is not inside the window, so a stolen certificate cannot mint fresh
/// ones any earlier than its owner would.
public struct CertificateRenewalWindow: Equatable, Sendable {
    public let notBeforeSeconds: Int64
    public let notAfterSeconds: Int64
    public let backdatingSeconds: Int64

    public init(notBeforeSeconds: Int64, notAfterSeconds: Int64, backdatingSeconds: Int64) {
        self.notBeforeSeconds = notBeforeSeconds
        self.notAfterSeconds = notAfterSeconds
        self.backdatingSeconds = max(0, backdatingSeconds)
    }

    /// The issue time: notBefore plus the backdating, when that is still before notAfter.
    public var issuedAtSeconds: Int64 {
        let (shifted, overflow) = notBeforeSeconds.addingReportingOverflow(backdatingSeconds)
        return !overflow && shifted < notAfterSeconds ? shifted : notBeforeSeconds
    }

    /// Two thirds of the way from the issue time to notAfter.
    public var opensAtSeconds: Int64 {
        let issued = issuedAtSeconds
        guard notAfterSeconds > issued else { return notAfterSeconds }
        let lifetime = notAfterSeconds - issued
        return issued + lifetime - lifetime / 3
    }

    /// Whether a renewal is allowed at `nowSeconds`: from `opensAtSeconds` until notAfter.
    public func isOpen(atSeconds nowSeconds: Int64) -> Bool {
        nowSeconds >= opensAtSeconds && nowSeconds < notAfterSeconds
    }

    /// When an agent first asks: a point in the first half of the window, `jitter` (0 up to 1) of
    /// the way, so agents issued together do not all ask at once.
    public func startSeconds(jitter: Double) -> Int64 {
        let half = max(0, notAfterSeconds - opensAtSeconds) / 2
        return opensAtSeconds + Int64(Double(half) * min(1, max(0, jitter)))
    }

    /// The wait after the `failures`-th (from 1) issued certificate the agent could not install:
    /// `firstSeconds` doubling up to `maximumSeconds`, then between half of that and all of it
    /// (`jitter`, 0 up to 1), so a fault that mints a certificate per attempt mints few.
    public static func failureDelaySeconds(failures: Int, firstSeconds: Int64, maximumSeconds: Int64,
                                           jitter: Double) -> Int64 {
        var delay = max(1, firstSeconds)
        for _ in 1..<max(1, min(failures, 32)) where delay < maximumSeconds { delay *= 2 }
        delay = min(delay, maximumSeconds)
        return delay / 2 + Int64(Double(delay / 2) * min(1, max(0, jitter)))
    }
}
