/// A node name the cluster no longer lets onto its agent ports: every
/// certificate for `node` that became valid at or before `revokedAtMilliseconds`
/// (the acting leader's wall clock when it proposed the revocation) is refused.
/// A certificate issued later for the same name is accepted again, so a host
/// is re-enrolled by issuing it a new certificate (Docs/CERTIFICATES.md).
public struct NodeRevocation: Sendable, Equatable {
    public var node: String
    public var revokedAtMilliseconds: UInt64

    public init(node: String, revokedAtMilliseconds: UInt64) {
        self.node = node
        self.revokedAtMilliseconds = revokedAtMilliseconds
    }

    /// Whether a certificate for `node` whose notBefore is `notBeforeSeconds`
    /// (Unix seconds) is refused. A certificate whose notBefore could not be
    /// read (nil) is refused too: a revocation fails closed.
    public func denies(notBeforeSeconds: Int64?) -> Bool {
        guard let notBeforeSeconds else { return true }
        // notBefore × 1000 ≤ revokedAt, without the multiplication that could overflow.
        return notBeforeSeconds <= Int64(revokedAtMilliseconds / 1_000)
    }

    /// A name a revocation may carry: the bounds of a node id (`NodeRecord`).
    public static func isValidNode(_ node: String) -> Bool {
        !node.isEmpty && node.utf8.count <= NodeRecord.labelKeyBytesMaximum
    }
}
