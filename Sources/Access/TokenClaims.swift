import Primitives
import Wire

/// What an API token says (Docs/ACCESS.md): who it was issued to, with which role at the time,
/// and when it is valid. Times are whole seconds since the Unix epoch, as JWT's NumericDate.
public struct TokenClaims: Sendable, Equatable {
    public static let issuer = "hotswap"
    public static let audience = "hotswap-api"
    /// `--token-ttl`: 5 minutes to 24 hours, 1 hour by default.
    public static let lifetimeSecondsRange: ClosedRange<UInt64> = 300...86_400
    public static let lifetimeSecondsDefault: UInt64 = 3_600
    /// Time claims are refused above this (2^53 - 1, the largest integer every JSON reader keeps
    /// exactly); it also keeps seconds * 1,000 within UInt64.
    public static let secondsMaximum: UInt64 = (1 << 53) - 1
    /// Bytes of randomness in a token id (`jti`), written as hex.
    public static let idBytes = 16

    public var subject: String
    /// The role when the token was issued; informative only: requests act with the user's role now.
    public var role: UserRole
    public var issuedAtSeconds: UInt64
    public var notBeforeSeconds: UInt64
    public var expiresAtSeconds: UInt64
    /// `jti`: random, so two tokens issued in the same second differ.
    public var id: String

    public init(subject: String, role: UserRole, issuedAtSeconds: UInt64, notBeforeSeconds: UInt64,
                expiresAtSeconds: UInt64, id: String) {
        self.subject = subject
        self.role = role
        self.issuedAtSeconds = issuedAtSeconds
        self.notBeforeSeconds = notBeforeSeconds
        self.expiresAtSeconds = expiresAtSeconds
        self.id = id
    }

    /// The claims of a token issued now. `iat` (and `nbf`) is `nowMilliseconds` rounded UP to a
    /// whole second: the verifier refuses a token whose `iat` is before the user's last password
    /// change, so rounding down would refuse a login made in the same second after a change.
    /// The cost is the other side of that second: a token issued less than a second before a
    /// change, within the same whole second, survives it.
    public static func issued(subject: String, role: UserRole, nowMilliseconds: UInt64,
                              lifetimeSeconds: UInt64 = lifetimeSecondsDefault) throws(AccessCryptoError) -> TokenClaims {
        precondition(lifetimeSecondsRange.contains(lifetimeSeconds), "token lifetime \(lifetimeSeconds) s is out of range")
        let issuedAt = nowMilliseconds / 1_000 + (nowMilliseconds % 1_000 == 0 ? 0 : 1)
        return TokenClaims(subject: subject, role: role, issuedAtSeconds: issuedAt, notBeforeSeconds: issuedAt,
                           expiresAtSeconds: issuedAt + lifetimeSeconds, id: HexText.lowercase(try SecureRandom.bytes(idBytes)))
    }

    /// The claims as the compact JSON object a token carries.
    var json: String {
        "{\"iss\":\(JSONText.quoted(Self.issuer)),\"aud\":\(JSONText.quoted(Self.audience))"
            + ",\"sub\":\(JSONText.quoted(subject)),\"role\":\(JSONText.quoted(role.rawValue))"
            + ",\"iat\":\(issuedAtSeconds),\"nbf\":\(notBeforeSeconds),\"exp\":\(expiresAtSeconds)"
            + ",\"jti\":\(JSONText.quoted(id))}"
    }
}
