import Fleet

extension TokenVerifier {
    /// `verify`, skipping the MAC and the claims' parse for a token `remembered` knows: when its
    /// key's id is still in `keys` with the same secret, only the checks that can change are made
    /// again (the key not retired, `exp`, `nbf`, the user and its generation), with the answers
    /// a full check would give. Otherwise the token is checked in full and, if its signature and
    /// claims hold, handed to `remember`. The two closures reach the caller's
    /// `VerifiedTokenCache` (behind its lock: the MAC runs outside it).
    public static func verify(_ token: String, keys: [SigningKeyRecord], hmac: HMACSHA256, nowMilliseconds: UInt64,
                              user: (String) -> UserRecord?, remembered: (String) -> SignedToken?,
                              remember: (String, SignedToken) -> Void) -> Result<VerifiedCaller, TokenRejection> {
        if let kept = remembered(token), let key = keys.first(where: { $0.id == kept.keyId }), key.secret == kept.keySecret {
            guard !isRetired(key, at: nowMilliseconds) else { return .failure(.unknownKey) }
            return current(kept.claims, nowMilliseconds: nowMilliseconds, user: user)
        }
        return signed(token, keys: keys, hmac: hmac, nowMilliseconds: nowMilliseconds).flatMap { signed in
            remember(token, signed)
            return current(signed.claims, nowMilliseconds: nowMilliseconds, user: user)
        }
    }
}
