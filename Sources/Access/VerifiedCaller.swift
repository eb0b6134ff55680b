import Primitives

/// The user a verified token or client certificate speaks for, with the role the user has NOW in
/// the replicated state (not the role written in the token), so a demotion takes effect at once.
public struct VerifiedCaller: Sendable, Equatable {
    /// How the caller proved who it is.
    public enum Method: String, Sendable, Equatable {
        case token
        case certificate
    }

    public let name: String
    public let role: UserRole
    /// When the credential stops being accepted: a token's `exp`, a certificate's notAfter.
    public let expiresAtSeconds: UInt64
    public let method: Method

    public init(name: String, role: UserRole, expiresAtSeconds: UInt64, method: Method = .token) {
        self.name = name
        self.role = role
        self.expiresAtSeconds = expiresAtSeconds
        self.method = method
    }
}
