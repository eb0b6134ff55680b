/// Reading a node's identity from a certificate already in memory, as Transport
/// does with a peer's certificate during a TLS handshake.
extension NodeIdentity {
    /// Returns the identity in the one `hotswap://` subject-alternative-name URI of
    /// an `X509 *`, or nil if there is none, more than one, or that URI is malformed.
    /// The caller keeps ownership of `x509`.
    public static func identity(ofCertificate x509: OpaquePointer) -> NodeIdentity? {
        identity(inEntries: SubjectAlternativeNames.read(from: x509))
    }

    /// The identity in the one `URI:hotswap://` entry of a `TYPE:value` list; nil when there is
    /// none, or more than one (which would win is not for a verifier to guess).
    static func identity(inEntries entries: [String]) -> NodeIdentity? {
        // A URI's scheme is case-insensitive (RFC 3986): HOTSWAP:// counts as a second identity too.
        let marker = ("URI:" + uriPrefix).lowercased()
        let identities = entries.filter { $0.prefix(marker.count).lowercased() == marker }
        guard identities.count == 1, let entry = identities.first else {
            return nil
        }
        return NodeIdentity(uri: String(entry.dropFirst("URI:".count)))
    }
}
