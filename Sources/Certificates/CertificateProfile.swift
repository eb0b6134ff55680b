import COpenSSL

/// The contents HotSwap puts into a certificate apart from keys and signature:
/// subject, validity window and X.509v3 extensions. Docs/CERTIFICATES.md
/// describes the same profile for operators.
struct CertificateProfile {
    /// One extension in OpenSSL's configuration syntax, e.g. `critical,CA:TRUE`.
    struct Extension {
        let nid: Int32
        let value: String
    }

    /// Seconds a new certificate is backdated, so peers whose clocks lag a little
    /// accept it immediately.
    static let clockSkewAllowanceSeconds: Int64 = 5 * 60

    /// The longest validity accepted, in days; keeps date arithmetic far from overflow.
    static let validityDaysMaximum = 100 * 366

    static let secondsPerDay: Int64 = 24 * 60 * 60

    let commonName: String
    let notBefore: Int64
    let notAfter: Int64
    let extensions: [Extension]

    /// A self-signed cluster CA that may sign leaf certificates only.
    static func authority(commonName: String, notBefore: Int64, notAfter: Int64) -> CertificateProfile {
        CertificateProfile(
            commonName: commonName, notBefore: notBefore, notAfter: notAfter,
            extensions: [
                Extension(nid: NID_basic_constraints, value: "critical,CA:TRUE,pathlen:0"),
                Extension(nid: NID_key_usage, value: "critical,keyCertSign,cRLSign"),
                Extension(nid: NID_subject_key_identifier, value: "hash"),
            ])
    }

    /// A node certificate whose usages follow its role: coordinators both serve and
    /// dial, agents and operators only dial.
    static func leaf(
        identity: NodeIdentity, subjectAlternativeNames: [String], notBefore: Int64, notAfter: Int64
    ) -> CertificateProfile {
        let extendedKeyUsage = identity.role == .coordinator ? "serverAuth,clientAuth" : "clientAuth"
        return CertificateProfile(
            commonName: identity.name, notBefore: notBefore, notAfter: notAfter,
            extensions: [
                Extension(nid: NID_basic_constraints, value: "critical,CA:FALSE"),
                Extension(nid: NID_key_usage, value: "critical,digitalSignature"),
                Extension(nid: NID_ext_key_usage, value: extendedKeyUsage),
                Extension(nid: NID_subject_alt_name, value: subjectAlternativeNames.joined(separator: ",")),
                Extension(nid: NID_subject_key_identifier, value: "hash"),
                Extension(nid: NID_authority_key_identifier, value: "keyid:always"),
            ])
    }

    /// The most a certificate may be backdated: an hour.
    static let backdateSecondsMaximum: Int64 = 3_600

    /// The validity window starting now, backdated by `backdateSeconds` (the clock-skew
    /// allowance unless asked otherwise).
    static func window(
        validityDays: Int, nowUnixSeconds: Int64, backdateSeconds: Int64 = clockSkewAllowanceSeconds
    ) throws(CertificateError) -> (notBefore: Int64, notAfter: Int64) {
        guard validityDays >= 1, validityDays <= validityDaysMaximum else {
            throw .invalidValidityPeriod(
                "\(validityDays) days is outside 1...\(validityDaysMaximum) days")
        }
        guard (0...backdateSecondsMaximum).contains(backdateSeconds) else {
            throw .invalidValidityPeriod("a backdate of \(backdateSeconds) s is outside 0...\(backdateSecondsMaximum) s")
        }
        return (nowUnixSeconds - backdateSeconds, nowUnixSeconds + Int64(validityDays) * secondsPerDay)
    }
}
