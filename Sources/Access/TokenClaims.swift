import Fleet
import Primitives
import Wire

/// What an API token says (Docs/ACCESS.md): who it was issued to, with which role at the time,
/// for which credential generation of the user, and when it is valid. Times are whole seconds
/// since the Unix epoch, as JWT's NumericDate.
public struct TokenClaims: Sendable, Equatable {
    public static let issuer = "hotswap"
    public static let audience = "hotswap-api"
    /// `--token-ttl`: 5 minutes to 24 hours, 1 hour by default.
    public static let lifetimeSecondsRange: ClosedRange<UInt64> = 300...86_400
    public static let lifetimeSecondsDefault: UInt64 = 3_600
    /// Time and generation claims are refused above this (2^53 - 1, the largest integer every JSON
    /// reader keeps exactly); it also keeps seconds * 1,000 within UInt64.
    public static let secondsMaximum: UInt64 = (1 << 53) - 1
    /// Bytes of randomness in a token id (`jti`), written as hex.
    public static let idBytes = 16

    public var subject: String
    /// The role when the token was issued; informative only: requests act with the user's role now.
    public var role: UserRole
    /// `gen`: the user's `UserRecord.credentialIndex` when the token was issued. The verifier
    /// refuses the token once the user's record has another (a password change, a re-added name).
    public var credentialIndex: UInt64
    public var issuedAtSeconds: UInt64
    public var notBeforeSeconds: UInt64
    public var expiresAtSeconds: UInt64
    /// `jti`: random, so two tokens issued in the same second differ.
    public var id: String

    public init(subject: String, role: UserRole, credentialIndex: UInt64, issuedAtSeconds: UInt64,
                notBeforeSeconds: UInt64, expiresAtSeconds: UInt64, id: String) {
        self.subject = subject
        self.role = role
        self.credentialIndex = credentialIndex
        self.issuedAtSeconds = issuedAtSeconds
        self.notBeforeSeconds = notBeforeSeconds
        self.expiresAtSeconds = expiresAtSeconds
        self.id = id
    }

    /// The claims of a token issued now for `user`, the record whose password the login checked:
    /// its name, role and credential generation. `iat` and `nbf` are `nowMilliseconds` in whole
    /// seconds (rounded down); no clock decides revocation, only the generation.
    public static func issued(for user: UserRecord, nowMilliseconds: UInt64,
                              lifetimeSeconds: UInt64 = lifetimeSecondsDefault) throws(AccessCryptoError) -> TokenClaims {
        precondition(lifetimeSecondsRange.contains(lifetimeSeconds), "token lifetime \(lifetimeSeconds) s is out of range")
        let issuedAt = nowMilliseconds / 1_000
        return TokenClaims(subject: user.name, role: user.role, credentialIndex: user.credentialIndex,
                           issuedAtSeconds: issuedAt, notBeforeSeconds: issuedAt, expiresAtSeconds: issuedAt + lifetimeSeconds,
                           id: HexText.lowercase(try SecureRandom.bytes(idBytes)))
    }

    /// The claims as the compact JSON object a token carries.
    var json: String {
        "{\"iss\":\(JSONText.quoted(Self.issuer)),\"aud\":\(JSONText.quoted(Self.audience))"
            + ",\"sub\":\(JSONText.quoted(subject)),\"role\":\(JSONText.quoted(role.rawValue)),\"gen\":\(credentialIndex)"
            + ",\"iat\":\(issuedAtSeconds),\"nbf\":\(notBeforeSeconds),\"exp\":\(expiresAtSeconds)"
            + ",\"jti\":\(JSONText.quoted(id))}"
    }
}
