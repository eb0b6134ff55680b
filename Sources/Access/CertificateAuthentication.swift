import Fleet

/// Who a client certificate of the cluster CA speaks for on the API (Docs/ACCESS.md, "Client
/// certificates"): a certificate of role `operator` acts as the user of its name, with that
/// user's role now, until the certificate's notAfter. The TLS handshake has already checked the
/// chain and the revocations; this is checked at every request, as a connection can outlive a
/// user, a certificate or the CA that verified it. Pure: the caller passes the time, the trust
/// generations and a lookup of the current users.
public enum CertificateAuthentication {
    /// The only certificate role that may act as a user.
    public static let operatorRole = "operator"

    /// The caller a certificate of `role` and `name`, valid until `notAfterSeconds` (Unix seconds,
    /// the last valid second; nil: unreadable), speaks for at `nowMilliseconds`, or why none.
    public static func verify(role: String, name: String, notAfterSeconds: Int64?, nowMilliseconds: UInt64,
                              user: (String) -> UserRecord?) -> Result<VerifiedCaller, CertificateRejection> {
        guard role == operatorRole else { return .failure(.notAnOperator(role: role, name: name)) }
        guard let notAfterSeconds, notAfterSeconds >= 0 else { return .failure(.validityUnreadable) }
        guard UInt64(notAfterSeconds) >= nowMilliseconds / 1_000 else { return .failure(.expired) }
        guard UserName.isValid(name) else { return .failure(.notAUserName(name: name)) }
        guard let record = user(name) else { return .failure(.unknownUser(name: name)) }
        return .success(VerifiedCaller(name: record.name, role: record.role, expiresAtSeconds: UInt64(notAfterSeconds),
                                       method: .certificate))
    }

    /// Why a connection whose certificate was verified under trust generation `generation` speaks
    /// for no one once the trust roots are at `current` (Docs/CERTIFICATES.md, "Rotating the CA"):
    /// a certificate is judged by the CA trusted now, so one verified before a CA reload is
    /// refused, whether or not the new roots would still take it; nil while it is current.
    public static func trustRejection(generation: UInt64, current: UInt64) -> CertificateRejection? {
        generation < current ? .untrusted : nil
    }
}

/// Why a client certificate is not taken as a user: a stable `code` for the JSON error and a
/// message for people.
public enum CertificateRejection: Error, Equatable, CustomStringConvertible {
    case notAnOperator(role: String, name: String)
    case validityUnreadable
    case expired
    case notAUserName(name: String)
    case unknownUser(name: String)
    case untrusted

    public var code: String {
        switch self {
        case .notAnOperator: "wrong_certificate_role"
        case .validityUnreadable, .expired: "certificate_expired"
        case .notAUserName, .unknownUser: "unknown_user"
        case .untrusted: "certificate_untrusted"
        }
    }

    public var message: String {
        switch self {
        case let .notAnOperator(role, name):
            "the client certificate is for \(role) \(name); only a certificate of role "
                + "\(CertificateAuthentication.operatorRole) acts as a user"
        case .validityUnreadable: "the client certificate's notAfter cannot be read"
        case .expired: "the client certificate has expired; issue a new one"
        case let .notAUserName(name): "the client certificate's name \(name) is not a user name (\(UserName.pattern))"
        case let .unknownUser(name): "no user is named \(name), the client certificate's name"
        case .untrusted:
            "the client certificate was verified against a cluster CA this coordinator has since reloaded; connect again"
        }
    }

    public var description: String { "\(code): \(message)" }
}
