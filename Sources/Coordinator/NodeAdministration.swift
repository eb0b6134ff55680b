import Cluster
import Fleet

/// What the Raft loop does for node removal and revocation beyond applying the commands: the
/// leader stamps a revocation with its wall clock, raised to the newest certificate the node is
/// connected with (so every replica applies the same time and the live certificate is covered), and
/// refuses to remove a node whose agent has a live session on it; every coordinator hands the
/// replicated deny-list to its agent port when it changes, and tells its gateway of each node
/// removed. Confined to the Raft loop, like `RaftService`, which owns it.
final class NodeAdministration: @unchecked Sendable {
    /// Whether a node's agent has a session on this coordinator; set once before the service starts.
    var hasSession: (@Sendable (String) -> Bool)?
    /// The newest notBefore (Unix seconds) among a node's open agent-port connections here, nil
    /// when it has none; set once before the service starts.
    var newestCertificate: (@Sendable (String) -> Int64?)?
    /// Hears the replicated revocations whenever they change (and once at start); set once
    /// before the service starts.
    var revocationsObserver: (@Sendable ([String: NodeRevocation]) -> Void)?
    /// Hears each node removal as it applies; set once before the service starts.
    var removalObserver: (@Sendable (String) -> Void)?
    private var revocationsChanged = true

    /// The revocation the leader proposes, stamped with its wall clock `nowMilliseconds` or the
    /// newest certificate the node is connected with, whichever is later (`NodeRevocation.stamped`).
    func command(revoking name: String, nowMilliseconds: UInt64) -> FleetCommand {
        .revokeNode(NodeRevocation.stamped(node: name, nowMilliseconds: nowMilliseconds,
                                           newestNotBeforeSeconds: newestCertificate?(name)))
    }

    /// Why the leader refuses to propose the node's deletion: `nodeConnected` while its agent
    /// has a session here (the operator stops or revokes it first; a removed node that is still
    /// connected would be written back by its next report). Nil: it proposes it.
    func refusal(removing id: String) -> ClusterRefusal? {
        hasSession?(id) == true ? .nodeConnected(id: id) : nil
    }

    /// Notes what an applied command changed.
    func applied(_ outcome: FleetOutcome) {
        switch outcome {
        case .nodeRevoked, .nodeUnrevoked: revocationsChanged = true
        case let .nodeDeleted(id): removalObserver?(id)
        default: break
        }
    }

    /// The whole state was replaced (a snapshot from the leader).
    func restored() {
        revocationsChanged = true
    }

    /// Hands `revocations` to the observer if they changed since it last heard them.
    func publishIfChanged(_ revocations: [String: NodeRevocation]) {
        guard revocationsChanged else { return }
        revocationsChanged = false
        revocationsObserver?(revocations)
    }
}
