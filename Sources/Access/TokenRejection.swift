/// Why `TokenVerifier` refused a token: a stable `code` for the JSON error (Docs/ACCESS.md) and a
/// message for people. Messages never echo the token or its contents.
public enum TokenRejection: Error, Equatable, CustomStringConvertible {
    case malformedToken(reason: String)
    case unsupportedAlgorithm
    case unknownKey
    case badSignature(reason: String)
    case wrongAudience
    case tokenExpired
    case tokenNotYetValid
    case unknownUser
    case tokenRevoked

    public var code: String {
        switch self {
        case .malformedToken: "malformed_token"
        case .unsupportedAlgorithm: "unsupported_algorithm"
        case .unknownKey: "unknown_key"
        case .badSignature: "bad_signature"
        case .wrongAudience: "wrong_audience"
        case .tokenExpired: "token_expired"
        case .tokenNotYetValid: "token_not_yet_valid"
        case .unknownUser: "unknown_user"
        case .tokenRevoked: "token_revoked"
        }
    }

    public var message: String {
        switch self {
        case let .malformedToken(reason): "the token is malformed: \(reason)"
        case .unsupportedAlgorithm: "the token's algorithm is not \(TokenSigner.algorithm)"
        case .unknownKey: "the token's signing key is unknown or retired; log in again"
        case let .badSignature(reason): "the token's signature does not verify: \(reason)"
        case .wrongAudience: "the token was not issued by \(TokenClaims.issuer) for \(TokenClaims.audience)"
        case .tokenExpired: "the token has expired; log in again"
        case .tokenNotYetValid: "the token is not valid yet (check the clocks)"
        case .unknownUser: "the token's user no longer exists"
        case .tokenRevoked: "the token was issued for an earlier password or an earlier user of this name; log in again"
        }
    }

    public var description: String { "\(code): \(message)" }
}
