import COpenSSL

/// A libcrypto call in `Access` failed, or a stored digest asks for what this build refuses to
/// compute. The message names the operation and OpenSSL's reason, never a secret.
public enum AccessCryptoError: Error, Equatable, CustomStringConvertible {
    case randomBytes(detail: String)
    case scrypt(detail: String)
    case hmac(detail: String)
    case digest(detail: String)
    case unusableDigest(reason: String)

    public var description: String {
        switch self {
        case let .randomBytes(detail): "could not draw random bytes: \(detail)"
        case let .scrypt(detail): "scrypt failed: \(detail)"
        case let .hmac(detail): "HMAC-SHA256 failed: \(detail)"
        case let .digest(detail): "the digest failed: \(detail)"
        case let .unusableDigest(reason): "the password digest cannot be used: \(reason)"
        }
    }

    /// The reason of the oldest entry in OpenSSL's thread-local error queue, which is then emptied
    /// so that a later failure does not report this one's cause.
    static func openSSLReason() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0, let reason = ERR_reason_error_string(code) else { return "no detail in the OpenSSL error queue" }
        return String(cString: reason)
    }
}
