import Primitives

/// The user a verified token speaks for, with the role the user has NOW in the replicated state
/// (not the role written in the token), so a demotion takes effect at once.
public struct VerifiedCaller: Sendable, Equatable {
    public let name: String
    public let role: UserRole
    public let expiresAtSeconds: UInt64

    public init(name: String, role: UserRole, expiresAtSeconds: UInt64) {
        self.name = name
        self.role = role
        self.expiresAtSeconds = expiresAtSeconds
    }
}
