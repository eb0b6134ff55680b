import Consensus
import Primitives

/// The binary form of a `ClusterRefusal`: a tag, then its fields in declaration order (texts
/// length-prefixed, numbers as eight bytes); Raft's `ProposalError` and `MembershipError` the
/// same way, a node id as a presence byte and eight bytes where it is optional.
extension ClusterOutcomeCodec {
    private enum RefusalTag: UInt8 {
        case noLeader = 1, tooManyPendingWrites, tooManyPendingReads, readTimeout, proposal, writeLost, leaderChanged
        case commitTimeout, transferTimeout, transferFailed, notVotingMember, notMember, invalidMemberName
        case invalidPeerAddress, memberIDTaken, alreadyMember, membersLimitReached, nodeNotFound, environmentNotFound
        case requestTooLarge, answerTooLarge, forwardingBusy, undecodableWrite, undecodableAnswer, nodeConnected
        case clusterUpgrading, clusterVersionTooLow, clusterVersionNotWritable
    }

    private enum ProposalTag: UInt8 {
        case notLeader = 1, leaseExpired, leadershipTransferInProgress, tooLarge, uncommittedLimitReached
        case configChangeInProgress, invalidMembershipChange, invalidTransferTarget, readQueueFull
    }

    private enum MembershipTag: UInt8 {
        case invalidNodeID = 1, alreadyMember, notALearner, notAMember, wouldRemoveLastVoter, tooManyMembers
    }

    static func write(_ refusal: ClusterRefusal, to writer: inout BinaryWriter) {
        switch refusal {
        case let .noLeader(detail): put(.noLeader, texts: [detail], to: &writer)
        case .tooManyPendingWrites: put(.tooManyPendingWrites, to: &writer)
        case .tooManyPendingReads: put(.tooManyPendingReads, to: &writer)
        case .readTimeout: put(.readTimeout, to: &writer)
        case let .proposal(error):
            put(.proposal, to: &writer)
            write(error, to: &writer)
        case .writeLost: put(.writeLost, to: &writer)
        case .leaderChanged: put(.leaderChanged, to: &writer)
        case .commitTimeout: put(.commitTimeout, to: &writer)
        case .transferTimeout: put(.transferTimeout, to: &writer)
        case let .transferFailed(newLeader): put(.transferFailed, texts: [newLeader], to: &writer)
        case let .notVotingMember(name): put(.notVotingMember, texts: [name], to: &writer)
        case let .notMember(name): put(.notMember, texts: [name], to: &writer)
        case let .invalidMemberName(name): put(.invalidMemberName, texts: [name], to: &writer)
        case let .invalidPeerAddress(address): put(.invalidPeerAddress, texts: [address], to: &writer)
        case let .memberIDTaken(name, holder): put(.memberIDTaken, texts: [name, holder], to: &writer)
        case let .alreadyMember(name): put(.alreadyMember, texts: [name], to: &writer)
        case let .membersLimitReached(maximum): put(.membersLimitReached, numbers: [maximum], to: &writer)
        case let .nodeNotFound(id): put(.nodeNotFound, texts: [id], to: &writer)
        case let .nodeConnected(id): put(.nodeConnected, texts: [id], to: &writer)
        case let .environmentNotFound(name): put(.environmentNotFound, texts: [name], to: &writer)
        case let .requestTooLarge(frameBytesMaximum): put(.requestTooLarge, numbers: [frameBytesMaximum], to: &writer)
        case let .answerTooLarge(bytes, maximumBytes): put(.answerTooLarge, numbers: [bytes, maximumBytes], to: &writer)
        case .forwardingBusy: put(.forwardingBusy, to: &writer)
        case let .undecodableWrite(detail): put(.undecodableWrite, texts: [detail], to: &writer)
        case let .undecodableAnswer(detail): put(.undecodableAnswer, texts: [detail], to: &writer)
        case let .clusterUpgrading(block): write(block, to: &writer)
        case let .clusterVersionTooLow(block): write(block, to: &writer)
        case .clusterVersionNotWritable: put(.clusterVersionNotWritable, to: &writer)
        }
    }

    static func readRefusal(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> ClusterRefusal {
        let offset = reader.offset
        guard let tag = RefusalTag(rawValue: try reader.readUInt8()) else {
            throw .invalidValue(offset: offset, detail: "unknown cluster refusal")
        }
        switch tag {
        case .noLeader: return .noLeader(try readText(&reader))
        case .tooManyPendingWrites: return .tooManyPendingWrites
        case .tooManyPendingReads: return .tooManyPendingReads
        case .readTimeout: return .readTimeout
        case .proposal: return .proposal(try readProposalError(&reader))
        case .writeLost: return .writeLost
        case .leaderChanged: return .leaderChanged
        case .commitTimeout: return .commitTimeout
        case .transferTimeout: return .transferTimeout
        case .transferFailed: return .transferFailed(newLeader: try readText(&reader))
        case .notVotingMember: return .notVotingMember(name: try readText(&reader))
        case .notMember: return .notMember(name: try readText(&reader))
        case .invalidMemberName: return .invalidMemberName(try readText(&reader))
        case .invalidPeerAddress: return .invalidPeerAddress(try readText(&reader))
        case .memberIDTaken: return .memberIDTaken(name: try readText(&reader), holder: try readText(&reader))
        case .alreadyMember: return .alreadyMember(name: try readText(&reader))
        case .membersLimitReached: return .membersLimitReached(maximum: try readNumber(&reader))
        case .nodeNotFound: return .nodeNotFound(id: try readText(&reader))
        case .nodeConnected: return .nodeConnected(id: try readText(&reader))
        case .environmentNotFound: return .environmentNotFound(name: try readText(&reader))
        case .requestTooLarge: return .requestTooLarge(frameBytesMaximum: try readNumber(&reader))
        case .answerTooLarge: return .answerTooLarge(bytes: try readNumber(&reader), maximumBytes: try readNumber(&reader))
        case .forwardingBusy: return .forwardingBusy
        case .undecodableWrite: return .undecodableWrite(detail: try readText(&reader))
        case .undecodableAnswer: return .undecodableAnswer(detail: try readText(&reader))
        case .clusterUpgrading: return .clusterUpgrading(try readUpgradeBlock(&reader))
        case .clusterVersionTooLow: return .clusterVersionTooLow(try readClusterVersionBlock(&reader))
        case .clusterVersionNotWritable: return .clusterVersionNotWritable
        }
    }

    /// The member's name, what is known of it (`1` advertises nothing, `2` and the version it
    /// reads), the entry's version.
    private static func write(_ block: UpgradeBlock, to writer: inout BinaryWriter) {
        put(.clusterUpgrading, texts: [block.member], to: &writer)
        write(block.reads, to: &writer)
        writer.write(block.entryVersion)
    }

    private static func readUpgradeBlock(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> UpgradeBlock {
        let member = try readText(&reader)
        let offset = reader.offset
        guard let reads = try readReads(&reader) else { throw .invalidValue(offset: offset, detail: "unknown member knowledge 0") }
        return UpgradeBlock(member: member, reads: reads, entryVersion: try reader.readUInt8())
    }

    /// What is known of a member: `0` nothing, `1` it advertises nothing, `2` and the version it reads.
    private static func write(_ reads: MemberReads?, to writer: inout BinaryWriter) {
        switch reads {
        case nil: writer.write(UInt8(0))
        case .unadvertised: writer.write(UInt8(1))
        case let .advertised(version)?:
            writer.write(UInt8(2))
            writer.write(version)
        }
    }

    private static func readReads(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> MemberReads? {
        let offset = reader.offset
        switch try reader.readUInt8() {
        case 0: return nil
        case 1: return .unadvertised
        case 2: return .advertised(fleetVersion: try reader.readUInt8())
        case let other: throw .invalidValue(offset: offset, detail: "unknown member knowledge \(other)")
        }
    }

    /// The cluster version (`0` never set), the entry's version, whether a member is named, then
    /// its name and what is known of it.
    private static func write(_ block: ClusterVersionBlock, to writer: inout BinaryWriter) {
        put(.clusterVersionTooLow, to: &writer)
        writer.write(block.clusterVersion ?? 0)
        writer.write(block.entryVersion)
        writer.write(block.member != nil)
        if let member = block.member {
            writer.write(member)
            write(block.reads, to: &writer)
        }
    }

    private static func readClusterVersionBlock(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> ClusterVersionBlock {
        let clusterVersion = try reader.readUInt8()
        let entryVersion = try reader.readUInt8()
        guard try reader.readBool() else {
            return ClusterVersionBlock(clusterVersion: clusterVersion == 0 ? nil : clusterVersion, entryVersion: entryVersion,
                                       member: nil, reads: nil)
        }
        let member = try readText(&reader)
        return ClusterVersionBlock(clusterVersion: clusterVersion == 0 ? nil : clusterVersion, entryVersion: entryVersion,
                                   member: member, reads: try readReads(&reader))
    }

    private static func put(_ tag: RefusalTag, texts: [String] = [], numbers: [Int] = [], to writer: inout BinaryWriter) {
        writer.write(tag.rawValue)
        for text in texts { writer.write(text) }
        for number in numbers { writer.write(bits(number)) }
    }

    /// A count or size as the 64 bits of its `Int` (`readNumber` reads it back).
    private static func bits(_ number: Int) -> UInt64 {
        UInt64(truncatingIfNeeded: number)
    }

    private static func write(_ error: ProposalError, to writer: inout BinaryWriter) {
        switch error {
        case let .notLeader(hint):
            writer.write(ProposalTag.notLeader.rawValue)
            write(optional: hint, to: &writer)
        case .leaseExpired: put(.leaseExpired, to: &writer)
        case let .leadershipTransferInProgress(target): put(.leadershipTransferInProgress, target, to: &writer)
        case let .tooLarge(bytes, maximumBytes): put(.tooLarge, bits(bytes), bits(maximumBytes), to: &writer)
        case let .uncommittedLimitReached(maximumBytes): put(.uncommittedLimitReached, bits(maximumBytes), to: &writer)
        case .configChangeInProgress: put(.configChangeInProgress, to: &writer)
        case let .invalidMembershipChange(reason):
            put(.invalidMembershipChange, to: &writer)
            write(reason, to: &writer)
        case let .invalidTransferTarget(id): put(.invalidTransferTarget, id, to: &writer)
        case let .readQueueFull(maximum): put(.readQueueFull, bits(maximum), to: &writer)
        }
    }

    private static func put(_ tag: ProposalTag, _ fields: UInt64..., to writer: inout BinaryWriter) {
        writer.write(tag.rawValue)
        for field in fields { writer.write(field) }
    }

    private static func readProposalError(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> ProposalError {
        let offset = reader.offset
        switch ProposalTag(rawValue: try reader.readUInt8()) {
        case .notLeader: return .notLeader(leaderHint: try readOptionalNodeID(&reader))
        case .leaseExpired: return .leaseExpired
        case .leadershipTransferInProgress: return .leadershipTransferInProgress(to: try reader.readUInt64())
        case .tooLarge: return .tooLarge(bytes: try readNumber(&reader), maximumBytes: try readNumber(&reader))
        case .uncommittedLimitReached: return .uncommittedLimitReached(maximumBytes: try readNumber(&reader))
        case .configChangeInProgress: return .configChangeInProgress
        case .invalidMembershipChange: return .invalidMembershipChange(try readMembershipError(&reader))
        case .invalidTransferTarget: return .invalidTransferTarget(try reader.readUInt64())
        case .readQueueFull: return .readQueueFull(maximum: try readNumber(&reader))
        case nil: throw .invalidValue(offset: offset, detail: "unknown proposal error")
        }
    }

    private static func write(_ error: MembershipError, to writer: inout BinaryWriter) {
        switch error {
        case .invalidNodeID: writer.write(MembershipTag.invalidNodeID.rawValue)
        case let .alreadyMember(id): put(.alreadyMember, id, to: &writer)
        case let .notALearner(id): put(.notALearner, id, to: &writer)
        case let .notAMember(id): put(.notAMember, id, to: &writer)
        case .wouldRemoveLastVoter: writer.write(MembershipTag.wouldRemoveLastVoter.rawValue)
        case .tooManyMembers: writer.write(MembershipTag.tooManyMembers.rawValue)
        }
    }

    private static func put(_ tag: MembershipTag, _ id: NodeID, to writer: inout BinaryWriter) {
        writer.write(tag.rawValue)
        writer.write(id)
    }

    private static func readMembershipError(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> MembershipError {
        let offset = reader.offset
        switch MembershipTag(rawValue: try reader.readUInt8()) {
        case .invalidNodeID: return .invalidNodeID
        case .alreadyMember: return .alreadyMember(try reader.readUInt64())
        case .notALearner: return .notALearner(try reader.readUInt64())
        case .notAMember: return .notAMember(try reader.readUInt64())
        case .wouldRemoveLastVoter: return .wouldRemoveLastVoter
        case .tooManyMembers: return .tooManyMembers
        case nil: throw .invalidValue(offset: offset, detail: "unknown membership error")
        }
    }

    private static func write(optional id: NodeID?, to writer: inout BinaryWriter) {
        writer.write(id != nil)
        if let id { writer.write(id) }
    }

    private static func readOptionalNodeID(_ reader: inout BinaryReader) throws(BinaryDecodingError) -> NodeID? {
        try reader.readBool() ? try reader.readUInt64() : nil
    }
}
