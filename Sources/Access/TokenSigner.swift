import Fleet
import Wire

/// Writes API tokens: compact JWS with HS256 (RFC 7515/7519), the header naming the signing key
/// by `kid` so every coordinator can pick the key from the replicated ring.
public enum TokenSigner {
    public static let algorithm = "HS256"

    /// The token for `claims`, signed with `key` (the ring's newest) by the process's `hmac`.
    public static func sign(_ claims: TokenClaims, with key: SigningKeyRecord,
                            hmac: HMACSHA256) throws(AccessCryptoError) -> String {
        let header = "{\"alg\":\(JSONText.quoted(algorithm)),\"typ\":\"JWT\",\"kid\":\(JSONText.quoted(key.idHex))}"
        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(claims.json.utf8))
        let signature = try hmac.authenticate(Array(signingInput.utf8), key: key.secret)
        return signingInput + "." + Base64URL.encode(signature)
    }
}
