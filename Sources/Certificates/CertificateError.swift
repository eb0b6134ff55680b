/// Everything that can go wrong while making, loading or checking HotSwap
/// certificates; each message names the file or value and says what to do.
public enum CertificateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Refused to overwrite an existing file.
    case fileExists(String)
    /// A file that must exist does not.
    case fileMissing(String)
    /// A file exists but could not be read or parsed; `reason` says why.
    case unreadable(String, reason: String)
    /// A file or directory could not be created or written; `reason` says why.
    case unwritable(String, reason: String)
    /// A node name does not match `[A-Za-z0-9][A-Za-z0-9._-]{0,62}`.
    case invalidName(String)
    /// A CA common name is empty or longer than 64 characters.
    case invalidCommonName(String)
    /// A subject-alternative-name IP address is neither IPv4 nor IPv6.
    case invalidIPAddress(String)
    /// A subject-alternative-name DNS name is not a valid host name.
    case invalidDNSName(String)
    /// The requested validity period is empty, negative or out of range.
    case invalidValidityPeriod(String)
    /// An OpenSSL call failed; `detail` is OpenSSL's error queue.
    case openSSL(operation: String, detail: String)
    /// The certificate does not chain to the cluster CA.
    case notSignedByCA(String, reason: String)
    /// The certificate's validity ended at `notAfter`.
    case expired(String, notAfter: String)
    /// The certificate's validity starts at `notBefore`.
    case notYetValid(String, notBefore: String)
    /// The certificate's identity has a different role than required.
    case wrongRole(String, expected: NodeRole, found: String)
    /// The certificate's identity has a different name than required.
    case wrongName(String, expected: String, found: String)
    /// The certificate carries no `hotswap://ROLE/NAME` subject alternative name.
    case missingIdentity(String)
    /// The private key does not belong to the certificate.
    case keyMismatch(certificatePath: String, keyPath: String)
    /// A signing key file others could read or write; `reason` says how.
    case exposedKey(String, reason: String)
    /// A certificate request that is not signed by its own key, too large, or carries a key too weak.
    case invalidRequest(String)

    public var description: String {
        switch self {
        case .fileExists(let path):
            return "\(path) already exists; move it away or choose another directory, "
                + "HotSwap never overwrites keys or certificates."
        case .fileMissing(let path):
            return "\(path) does not exist; check the path or create it with `hotswap certs`."
        case .unreadable(let path, let reason):
            return "Cannot read \(path): \(reason); check the file's permissions and contents."
        case .unwritable(let path, let reason):
            return "Cannot write \(path): \(reason); check the directory exists, is writable "
                + "and has free space."
        case .invalidName(let name):
            return "\"\(name)\" is not a valid node name; use 1 to 63 letters, digits, '.', '_' "
                + "or '-', starting with a letter or digit."
        case .invalidCommonName(let name):
            return "\"\(name)\" is not a valid CA common name; use 1 to 64 characters."
        case .invalidIPAddress(let address):
            return "\"\(address)\" is not an IPv4 or IPv6 address; give a literal such as "
                + "10.0.0.5 or fd00::5."
        case .invalidDNSName(let name):
            return "\"\(name)\" is not a valid DNS name; use dot-separated labels of letters, "
                + "digits and '-'."
        case .invalidValidityPeriod(let reason):
            return "Invalid validity period: \(reason)."
        case .openSSL(let operation, let detail):
            return "OpenSSL failed to \(operation): \(detail)."
        case .notSignedByCA(let path, let reason):
            return "\(path) is not signed by the cluster CA (\(reason)); issue it again with "
                + "this cluster's `hotswap certs`."
        case .expired(let path, let notAfter):
            return "\(path) expired at \(notAfter); issue a new certificate."
        case .notYetValid(let path, let notBefore):
            return "\(path) is not valid until \(notBefore); check this machine's clock."
        case .wrongRole(let path, let expected, let found):
            return "\(path) is issued for role \(found) but this process needs role "
                + "\(expected.rawValue); issue a certificate with role \(expected.rawValue)."
        case .wrongName(let path, let expected, let found):
            return "\(path) belongs to \"\(found)\" but this process is \"\(expected)\"; use "
                + "that node's certificate or issue one named \"\(expected)\"."
        case .missingIdentity(let path):
            return "\(path) has no hotswap://ROLE/NAME identity; issue it with `hotswap certs`."
        case .keyMismatch(let certificatePath, let keyPath):
            return "\(keyPath) is not the private key of \(certificatePath); pass the key that "
                + "was issued with the certificate."
        case .exposedKey(let path, let reason):
            return "\(path) \(reason); a signing key must be a regular file of mode 0600 or stricter (chmod 600 it)."
        case .invalidRequest(let reason):
            return "Refused the certificate request: \(reason)."
        }
    }
}
