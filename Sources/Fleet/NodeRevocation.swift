import Primitives

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

    /// The revocation a leader proposes for `node` at its wall clock `nowMilliseconds`.
    /// A leader whose clock runs behind the clock that issued the node's certificates
    /// would stamp a time before the live certificate's notBefore and deny nothing, so
    /// the time is raised to the newest notBefore the leader sees on that node's open
    /// connections (`newestNotBeforeSeconds`, nil when none): a revocation always
    /// covers every certificate the node is connected with when it is proposed.
    public static func stamped(node: String, nowMilliseconds: UInt64, newestNotBeforeSeconds: Int64?) -> NodeRevocation {
        guard let newestNotBeforeSeconds, newestNotBeforeSeconds > 0 else {
            return NodeRevocation(node: node, revokedAtMilliseconds: nowMilliseconds)
        }
        let (notBeforeMilliseconds, overflow) = UInt64(newestNotBeforeSeconds).multipliedReportingOverflow(by: 1_000)
        return NodeRevocation(node: node, revokedAtMilliseconds: overflow ? .max : max(nowMilliseconds, notBeforeMilliseconds))
    }

    /// A name a revocation may carry: a certificate's node name (`NodeName`), so no
    /// revocation can hold bytes that no certificate names (control characters, say).
    public static func isValidNode(_ node: String) -> Bool {
        NodeName.isValid(node)
    }

    /// Why a name that is not `isValidNode` is refused.
    public static let invalidNodeReason = "a revoked name must be a certificate's node name, [A-Za-z0-9][A-Za-z0-9._-]{0,62}"
}
