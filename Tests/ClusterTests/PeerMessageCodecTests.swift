import Cluster
import Consensus
import Testing
import TestSupport
import Primitives

@Suite struct PeerMessageCodecTests {
    static func randomMessage(using random: inout TestSupport.SplitMix64) -> Message {
        let kinds: [MessageKind] = [.preVote, .preVoteResponse, .vote, .voteResponse, .append, .appendResponse, .heartbeat,
                                    .heartbeatResponse, .snapshot, .timeoutNow, .readIndex, .readIndexResponse]
        var message = Message(kind: kinds.randomElement(using: &random)!, from: random.next(), to: random.next(), term: random.next(),
                              logTerm: random.next(), index: random.next(), commit: random.next(), reject: random.next() % 2 == 0,
                              rejectHint: random.next(), context: random.bytes(count: Int(random.next() % 16)), leaseTick: random.next(),
                              isLeadershipTransfer: random.next() % 2 == 0)
        message.entries = (0..<Int(random.next() % 5)).map { _ in
            Entry(term: random.next(), index: random.next(), kind: random.next() % 2 == 0 ? .normal : .configChange,
                  data: random.bytes(count: Int(random.next() % 40)))
        }
        if random.next() % 3 == 0 {
            let membership = Membership(voters: (0..<random.next() % 5).map { _ in random.next() },
                                        learners: (0..<random.next() % 3).map { _ in random.next() })
            message.snapshot = Snapshot(metadata: SnapshotMetadata(index: random.next(), term: random.next(), membership: membership),
                                        data: random.bytes(count: Int(random.next() % 64)))
        }
        return message
    }

    static let heartbeat = Message(kind: .heartbeat, from: 1, to: 2, term: 3, commit: 4, leaseTick: 5)

    @Test(arguments: [UInt64(1), 2, 3])
    func everyMessageDecodesToItself(seed: UInt64) throws {
        var random = TestSupport.SplitMix64(seed: seed)
        for _ in 0..<500 {
            let message = Self.randomMessage(using: &random)
            #expect(try PeerMessageCodec.decode(PeerMessageCodec.encode(message)) == message, "seed \(seed)")
        }
    }

    @Test func everyShorterPrefixIsTruncated() {
        var random = TestSupport.SplitMix64(seed: 7)
        var message = Self.randomMessage(using: &random)
        message.entries = [Entry(term: 1, index: 2, data: [9, 9])]
        let bytes = PeerMessageCodec.encode(message)
        expectEveryShorterPrefixTruncated(bytes, PeerMessageCodec.decode)
        #expect(throws: BinaryDecodingError.truncated(offset: 0)) { try PeerMessageCodec.decode([]) }
        #expect(throws: BinaryDecodingError.truncated(offset: 2)) { try PeerMessageCodec.decode(Array(bytes.prefix(5))) }
    }

    @Test func anotherVersionOrKindIsRefused() {
        var bytes = PeerMessageCodec.encode(Self.heartbeat)
        bytes[0] = 2
        #expect(throws: BinaryDecodingError.unsupportedVersion(2)) { try PeerMessageCodec.decode(bytes) }
        bytes[0] = PeerMessageCodec.version
        bytes[1] = 200
        #expect(throws: BinaryDecodingError.invalidValue(offset: 1, detail: "unknown Raft message kind")) {
            try PeerMessageCodec.decode(bytes)
        }
    }

    @Test func trailingBytesAreRefused() {
        let bytes = PeerMessageCodec.encode(Self.heartbeat)
        #expect(throws: BinaryDecodingError.trailingBytes(offset: bytes.count, count: 1)) { try PeerMessageCodec.decode(bytes + [0]) }
    }

    /// Layout: version, kind, eight UInt64 fields, two booleans, the context's length at 68.
    @Test func oversizedFieldsAndEntryCountsAreRefusedBeforeAllocating() {
        var bytes = PeerMessageCodec.encode(Self.heartbeat)
        let contextLengthOffset = 2 + 8 * 8 + 2
        bytes.replaceSubrange(contextLengthOffset..<(contextLengthOffset + 4), with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: BinaryDecodingError.fieldTooLarge(offset: contextLengthOffset, bytes: Int(UInt32.max),
                                                          maximumBytes: PeerMessageCodec.fieldBytesMaximum)) {
            try PeerMessageCodec.decode(bytes)
        }
        var counted = PeerMessageCodec.encode(Self.heartbeat)
        let countOffset = contextLengthOffset + 4
        let over = UInt32(PeerMessageCodec.entriesPerMessageMaximum + 1)
        counted.replaceSubrange(countOffset..<(countOffset + 4), with: withUnsafeBytes(of: over.bigEndian, Array.init))
        #expect(throws: BinaryDecodingError.invalidValue(offset: countOffset, detail: "16385 entries, over 16384")) {
            try PeerMessageCodec.decode(counted)
        }
    }

    @Test func randomBytesNeverDecodeToSomethingThatEncodesDifferently() throws {
        var random = TestSupport.SplitMix64(seed: 11)
        let valid = PeerMessageCodec.encode(Self.heartbeat)
        var decodedCount = 0
        for _ in 0..<5_000 {
            var bytes = random.next() % 2 == 0 ? random.bytes(count: Int(random.next() % 120)) : valid
            if !bytes.isEmpty { bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next()) }
            guard let message = try? PeerMessageCodec.decode(bytes) else { continue }
            decodedCount += 1
            #expect(try PeerMessageCodec.decode(PeerMessageCodec.encode(message)) == message)
        }
        // Most single-byte changes of a valid message still decode; with none, nothing above was checked.
        #expect(decodedCount >= 500, "only \(decodedCount) of 5,000 inputs decoded")
    }

    @Test func membershipsRoundTripAndTooManyMembersAreRefused() throws {
        let membership = Membership(voters: [3, 1, 2], learners: [9])
        #expect(try MembershipCodec.decode(MembershipCodec.encode(membership)) == membership)
        var writer = BinaryWriter()
        writer.write(UInt32(Membership.membersMaximum + 1))
        #expect(throws: BinaryDecodingError.invalidValue(offset: 0, detail: "65 members, over 64")) {
            try MembershipCodec.decode(writer.bytes)
        }
    }
}
