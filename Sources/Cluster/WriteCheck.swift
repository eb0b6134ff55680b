import Fleet
import Primitives

/// The leader's rule for what may enter the log as a write, or as a membership change's context:
/// a fleet command this build decodes.
/// An entry that commits and cannot be decoded halts every replica (`ReplicationHalt`), and the
/// halt survives restarts because the entry is in the log, so a write is decoded once before it
/// is proposed — whether a route built it or a follower forwarded its bytes. A cluster version is
/// never a write: only the leader raises it, once every member reads it (`clusterVersionToRaise`).
public enum WriteCheck {
    /// Nil when `bytes` decode as a fleet command other than `setClusterVersion`; otherwise why they are refused.
    public static func refusal(for bytes: [UInt8]) -> ClusterRefusal? {
        do {
            guard case .setClusterVersion = try FleetCodec.decodeCommand(bytes) else { return nil }
            return .clusterVersionNotWritable
        } catch {
            return .undecodableWrite(detail: "\(error)")
        }
    }

    /// Why `bytes`, which `FleetCodec.decodeCommandToAudit` refused with `error`, are refused as a
    /// command to audit: a cluster version as when bare, anything else as undecodable.
    public static func auditRefusal(for bytes: [UInt8], error: BinaryDecodingError) -> ClusterRefusal {
        if case .clusterVersionNotWritable? = refusal(for: bytes) { return .clusterVersionNotWritable }
        return .undecodableWrite(detail: "\(error)")
    }
}
