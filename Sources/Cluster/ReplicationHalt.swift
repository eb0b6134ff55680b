import Consensus
import Fleet
import Primitives

/// Why a coordinator must stop rather than go on applying: a committed entry or a snapshot
/// this build cannot decode, or one that sets a cluster version above what this build reads (a
/// member of an older build added to a cluster already raised past it: the entries that version
/// lets in would halt it anyway, later and less clearly). Skipping it would let replicas diverge
/// (during a rolling upgrade, an older build meets a newer build's entries), so the error names
/// the index and the encoding version, and the operator upgrades this member before it rejoins.
public enum ReplicationHalt: Error, CustomStringConvertible, Equatable {
    case undecodableEntry(index: UInt64, term: UInt64, error: BinaryDecodingError)
    case undecodableMembershipChange(index: UInt64, term: UInt64)
    case undecodableSnapshot(index: UInt64, error: BinaryDecodingError)
    case clusterVersionAboveReadsInEntry(index: UInt64, term: UInt64, version: UInt8)
    case clusterVersionAboveReadsInSnapshot(index: UInt64, version: UInt8)

    public var description: String {
        switch self {
        case let .undecodableEntry(index, term, error):
            "committed entry \(index) (term \(term)) cannot be decoded by this build: \(Self.explain(error))"
        case let .undecodableMembershipChange(index, term):
            "committed membership change \(index) (term \(term)) cannot be decoded by this build"
        case let .undecodableSnapshot(index, error):
            "the snapshot at index \(index) cannot be decoded by this build: \(Self.explain(error))"
        case let .clusterVersionAboveReadsInEntry(index, term, version):
            "committed entry \(index) (term \(term)) cannot be applied by this build: \(Self.aboveReads(version))"
        case let .clusterVersionAboveReadsInSnapshot(index, version):
            "the snapshot at index \(index) cannot be restored by this build: \(Self.aboveReads(version))"
        }
    }

    private static func aboveReads(_ version: UInt8) -> String {
        "cluster version \(version) is above what this build reads "
            + "(\(FleetCodec.versionsRead.lowerBound)...\(FleetCodec.versionsRead.upperBound)); upgrade this coordinator"
    }

    private static func explain(_ error: BinaryDecodingError) -> String {
        let readable = "this build reads fleet encoding versions "
            + "\(FleetCodec.versionsRead.lowerBound)...\(FleetCodec.versionsRead.upperBound)"
        if case let .unsupportedVersion(found) = error {
            return "it is fleet encoding version \(found), \(readable); upgrade this coordinator"
        }
        return "\(error) (\(readable))"
    }

    /// The fleet command an entry carries; nil for entries that carry none (a leader's first
    /// entry, a membership change without context).
    public static func decodeCommand(of entry: Entry) throws(ReplicationHalt) -> FleetCommand? {
        let bytes: [UInt8]
        switch entry.kind {
        case .normal:
            bytes = entry.data
        case .configChange:
            guard let record = ConfigChangeRecord.decode(entry.data) else {
                throw .undecodableMembershipChange(index: entry.index, term: entry.term)
            }
            bytes = record.context
        }
        guard !bytes.isEmpty else { return nil }
        let command: FleetCommand
        do {
            command = try FleetCodec.decodeCommand(bytes)
        } catch {
            throw .undecodableEntry(index: entry.index, term: entry.term, error: error)
        }
        if case let .setClusterVersion(version) = command, version > FleetCodec.versionsRead.upperBound {
            throw .clusterVersionAboveReadsInEntry(index: entry.index, term: entry.term, version: version)
        }
        return command
    }

    /// The fleet state a snapshot at `index` holds, in `bytes[range]` (all of `bytes` when nil): a saved
    /// snapshot's state is decoded where it lies in the file, not copied out. Error offsets count from `bytes`' start.
    public static func decodeState(_ bytes: [UInt8], range: Range<Int>? = nil, index: UInt64) throws(ReplicationHalt) -> FleetState {
        let state: FleetState
        do {
            state = try FleetCodec.decodeState(bytes, range: range)
        } catch {
            throw .undecodableSnapshot(index: index, error: error)
        }
        if let version = state.clusterVersion, version > FleetCodec.versionsRead.upperBound {
            throw .clusterVersionAboveReadsInSnapshot(index: index, version: version)
        }
        return state
    }
}
