import Fleet

/// Checks an API token against the key ring and the users, in the order Docs/ACCESS.md lists,
/// and names the first check that fails. Pure but for the MAC: the caller passes the ring, its
/// `HMACSHA256`, the time and a lookup of the current user records.
public enum TokenVerifier {
    public static let tokenBytesMaximum = 4_096
    /// How far in the future `nbf` may be, for clocks that differ between coordinators.
    public static let clockLeewayMilliseconds: UInt64 = 30_000

    public static func verify(_ token: String, keys: [SigningKeyRecord], hmac: HMACSHA256, nowMilliseconds: UInt64,
                              user: (String) -> UserRecord?) -> Result<VerifiedCaller, TokenRejection> {
        signed(token, keys: keys, hmac: hmac, nowMilliseconds: nowMilliseconds).flatMap { signed in
            current(signed.claims, nowMilliseconds: nowMilliseconds, user: user)
        }
    }

    /// The checks that depend on the token's bytes and its key's secret only: its form, its key
    /// (in the ring and not retired at `nowMilliseconds`), the signature, the claims' types, the
    /// issuer and the audience. What they produce is what `VerifiedTokenCache` keeps.
    static func signed(_ token: String, keys: [SigningKeyRecord], hmac: HMACSHA256,
                       nowMilliseconds: UInt64) -> Result<SignedToken, TokenRejection> {
        do throws(TokenRejection) {
            let parts = try split(token)
            let key = try signingKey(header: parts.header, keys: keys, nowMilliseconds: nowMilliseconds)
            try checkSignature(parts, key: key, hmac: hmac)
            let claims = try VerifiedClaims(parts.claims)
            guard claims.issuer == TokenClaims.issuer, claims.audience == TokenClaims.audience else {
                throw .wrongAudience
            }
            return .success(SignedToken(keyId: key.id, keySecret: key.secret, claims: claims))
        } catch {
            return .failure(error)
        }
    }

    /// The checks whose answer changes with the time and the users: `exp`, `nbf` (with the
    /// leeway), the user still there and still of the token's credential generation.
    static func current(_ claims: VerifiedClaims, nowMilliseconds: UInt64,
                        user: (String) -> UserRecord?) -> Result<VerifiedCaller, TokenRejection> {
        guard claims.expiresAtSeconds * 1_000 > nowMilliseconds else { return .failure(.tokenExpired) }
        let latestStart = nowMilliseconds.addingReportingOverflow(clockLeewayMilliseconds)
        guard latestStart.overflow || claims.notBeforeSeconds * 1_000 <= latestStart.partialValue else {
            return .failure(.tokenNotYetValid)
        }
        guard let record = user(claims.subject) else { return .failure(.unknownUser) }
        guard claims.credentialIndex == record.credentialIndex else { return .failure(.tokenRevoked) }
        return .success(VerifiedCaller(name: record.name, role: record.role, expiresAtSeconds: claims.expiresAtSeconds))
    }

    /// A token's three parts, decoded, and the text the signature covers.
    struct Parts {
        let header: [UInt8]
        let claims: [UInt8]
        let signature: [UInt8]
        let signingInput: ArraySlice<UInt8>
    }

    static func split(_ token: String) throws(TokenRejection) -> Parts {
        let bytes = Array(token.utf8)
        guard bytes.count <= tokenBytesMaximum else {
            throw .malformedToken(reason: "it is over \(tokenBytesMaximum) bytes")
        }
        let pieces = bytes.split(separator: UInt8(ascii: "."), maxSplits: 3, omittingEmptySubsequences: false)
        guard pieces.count == 3 else { throw .malformedToken(reason: "it does not have exactly three parts") }
        guard let header = Base64URL.decode(pieces[0]), let claims = Base64URL.decode(pieces[1]),
              let signature = Base64URL.decode(pieces[2])
        else { throw .malformedToken(reason: "a part is not unpadded base64url") }
        return Parts(header: header, claims: claims, signature: signature, signingInput: bytes[..<pieces[1].endIndex])
    }

    /// Reads the header and finds its key: `alg` must be HS256 and `kid` a key of the ring that
    /// is not retired at `nowMilliseconds`. A header with `crit` is refused (RFC 7515 4.1.11:
    /// extensions we do not know must not be ignored).
    static func signingKey(header: [UInt8], keys: [SigningKeyRecord], nowMilliseconds: UInt64)
        throws(TokenRejection) -> SigningKeyRecord
    {
        guard let fields = TokenJSON.object(header) else { throw .malformedToken(reason: "the header is not a JSON object") }
        guard case let .string(algorithm)? = fields["alg"] else { throw .malformedToken(reason: "the header has no alg string") }
        guard algorithm == TokenSigner.algorithm else { throw .unsupportedAlgorithm }
        guard case let .string(keyId)? = fields["kid"] else { throw .malformedToken(reason: "the header has no kid string") }
        guard fields["crit"] == nil else { throw .malformedToken(reason: "the header has crit extensions") }
        guard let key = keys.first(where: { $0.idHex == keyId }), !isRetired(key, at: nowMilliseconds) else { throw .unknownKey }
        return key
    }

    static func isRetired(_ key: SigningKeyRecord, at nowMilliseconds: UInt64) -> Bool {
        key.retiresAtMilliseconds.map { $0 <= nowMilliseconds } ?? false
    }

    static func checkSignature(_ parts: Parts, key: SigningKeyRecord, hmac: HMACSHA256) throws(TokenRejection) {
        let expected: [UInt8]
        do {
            expected = try hmac.authenticate(Array(parts.signingInput), key: key.secret)
        } catch {
            throw .badSignature(reason: "it could not be computed (\(error))")
        }
        guard ConstantTime.equal(parts.signature, expected) else { throw .badSignature(reason: "it does not match") }
    }
}
