/// Reading a node's identity from a certificate already in memory, as Transport
/// does with a peer's certificate during a TLS handshake.
extension NodeIdentity {
    /// Returns the identity in the first `hotswap://` subject-alternative-name URI of
    /// an `X509 *`, or nil if there is none or that URI is malformed. The caller
    /// keeps ownership of `x509`.
    public static func identity(ofCertificate x509: OpaquePointer) -> NodeIdentity? {
        identity(inEntries: SubjectAlternativeNames.read(from: x509))
    }

    /// The identity in the first `URI:hotswap://` entry of a `TYPE:value` list.
    static func identity(inEntries entries: [String]) -> NodeIdentity? {
        let marker = "URI:" + uriPrefix
        guard let entry = entries.first(where: { $0.hasPrefix(marker) }) else {
            return nil
        }
        return NodeIdentity(uri: String(entry.dropFirst("URI:".count)))
    }
}
