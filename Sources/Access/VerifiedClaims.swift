/// The claims `TokenVerifier` reads from a token whose signature it has checked: each must be
/// present with the right JSON type, times and the credential generation (`gen`) as integers from
/// 0 to `TokenClaims.secondsMaximum` (so seconds * 1,000 cannot overflow). Other claims, `role`
/// among them, are ignored.
struct VerifiedClaims {
    let issuer: String
    let audience: String
    let subject: String
    let credentialIndex: UInt64
    let issuedAtSeconds: UInt64
    let notBeforeSeconds: UInt64
    let expiresAtSeconds: UInt64

    init(_ json: [UInt8]) throws(TokenRejection) {
        guard let fields = TokenJSON.object(json) else { throw .malformedToken(reason: "the claims are not a JSON object") }
        issuer = try Self.string("iss", in: fields)
        audience = try Self.string("aud", in: fields)
        subject = try Self.string("sub", in: fields)
        credentialIndex = try Self.integer("gen", in: fields)
        issuedAtSeconds = try Self.integer("iat", in: fields)
        notBeforeSeconds = try Self.integer("nbf", in: fields)
        expiresAtSeconds = try Self.integer("exp", in: fields)
    }

    private static func string(_ name: String, in fields: [String: TokenJSON.Value]) throws(TokenRejection) -> String {
        guard case let .string(value)? = fields[name] else { throw .malformedToken(reason: "the claim \(name) is not a string") }
        return value
    }

    private static func integer(_ name: String, in fields: [String: TokenJSON.Value]) throws(TokenRejection) -> UInt64 {
        guard case let .integer(value)? = fields[name], value >= 0, UInt64(value) <= TokenClaims.secondsMaximum else {
            throw .malformedToken(reason: "the claim \(name) is not a whole number from 0 to 2^53 - 1")
        }
        return UInt64(value)
    }
}
