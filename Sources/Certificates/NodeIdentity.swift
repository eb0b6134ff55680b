import Primitives

/// Who a certificate belongs to: a role and a name, carried in the certificate as
/// the subject-alternative-name URI `hotswap://ROLE/NAME`.
public struct NodeIdentity: Sendable, Equatable, CustomStringConvertible {
    /// The URI scheme and separator that mark a HotSwap identity.
    static let uriPrefix = "hotswap://"

    public let role: NodeRole
    public let name: String

    /// Creates an identity, rejecting names that could not travel safely in a URI,
    /// a file name or a certificate subject.
    public init(role: NodeRole, name: String) throws(CertificateError) {
        guard Self.isValidName(name) else {
            throw .invalidName(name)
        }
        self.role = role
        self.name = name
    }

    /// Parses `hotswap://ROLE/NAME`; returns nil for anything else, including extra
    /// path segments, queries, fragments, unknown roles and invalid names.
    public init?(uri: String) {
        guard uri.hasPrefix(Self.uriPrefix) else {
            return nil
        }
        let rest = uri.dropFirst(Self.uriPrefix.count)
        let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let role = NodeRole(rawValue: String(parts[0])) else {
            return nil
        }
        let name = String(parts[1])
        guard Self.isValidName(name) else {
            return nil
        }
        self.role = role
        self.name = name
    }

    /// The identity as it appears in a certificate's subject alternative name.
    public var uri: String {
        "\(Self.uriPrefix)\(role.rawValue)/\(name)"
    }

    public var description: String {
        "\(role.rawValue) \"\(name)\""
    }

    /// True when `name` matches `[A-Za-z0-9][A-Za-z0-9._-]{0,62}` (`NodeName`).
    public static func isValidName(_ name: String) -> Bool {
        NodeName.isValid(name)
    }
}
