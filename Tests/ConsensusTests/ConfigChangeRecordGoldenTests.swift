import Testing

@testable import Consensus

/// A config-change entry's payload byte for byte (it lives in every log and snapshot that holds
/// a membership change, so its encoding never changes), and which payloads decoding refuses.
@Suite struct ConfigChangeRecordGoldenTests {
    /// Version 2, tag 1 (add learner) of node 4, voters [1, 2, 3], learners [4], context "c4=x":
    /// big-endian, 16-bit counts.
    static let pinned: [UInt8] = [
        0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x04,
        0x63, 0x34, 0x3D, 0x78,
    ]
    static let record = ConfigChangeRecord(
        change: .addLearner(4), membership: Membership(voters: [1, 2, 3], learners: [4]), context: Array("c4=x".utf8))

    static func bigEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }

    /// A payload of version 2 and tag 0 for node 1, with the given lists and context.
    static func payload(voters: [UInt64], learners: [UInt64], contextCount: Int, contextBytes: Int) -> [UInt8] {
        var bytes: [UInt8] = [2, 0] + bigEndian(1)
        for list in [voters, learners] {
            bytes += [UInt8(list.count >> 8), UInt8(list.count & 0xFF)]
            for id in list { bytes += bigEndian(id) }
        }
        bytes += [UInt8(contextCount >> 8), UInt8(contextCount & 0xFF)]
        return bytes + [UInt8](repeating: 7, count: contextBytes)
    }

    @Test func encodesToThePinnedBytesAndDecodesFromThem() {
        #expect(Self.record.encoded() == Self.pinned)
        #expect(ConfigChangeRecord.decode(Self.pinned) == Self.record)
        let changes: [MembershipChange] = [.addVoter(4), .addLearner(4), .promoteLearner(4), .remove(4)]
        for (tag, change) in changes.enumerated() {
            var bytes = Self.pinned
            bytes[1] = UInt8(tag)
            #expect(ConfigChangeRecord(change: change, membership: Self.record.membership, context: Self.record.context)
                .encoded() == bytes)
            #expect(ConfigChangeRecord.decode(bytes)?.change == change)
        }
    }

    @Test func everyPrefixAndAnyTrailingByteIsRefused() {
        for count in 0..<Self.pinned.count {
            #expect(ConfigChangeRecord.decode(Array(Self.pinned[..<count])) == nil, "prefix of \(count) bytes")
        }
        #expect(ConfigChangeRecord.decode(Self.pinned + [0]) == nil)
    }

    @Test func unknownVersionsTagsAndImpossibleMembershipsAreRefused() {
        var version = Self.pinned
        version[0] = 1
        var tag = Self.pinned
        tag[1] = 4
        let refused: [[UInt8]] = [
            version, tag,
            Self.payload(voters: Array(1...65), learners: [], contextCount: 0, contextBytes: 0),
            Self.payload(voters: Array(1...40), learners: Array(41...65), contextCount: 0, contextBytes: 0),
            Self.payload(voters: [1, 0], learners: [], contextCount: 0, contextBytes: 0),
            Self.payload(voters: [1], learners: [0], contextCount: 0, contextBytes: 0),
            Self.payload(voters: [1], learners: [], contextCount: 1_025, contextBytes: 1_025),
            Self.payload(voters: [1], learners: [], contextCount: 5, contextBytes: 4),
        ]
        for (position, bytes) in refused.enumerated() {
            #expect(ConfigChangeRecord.decode(bytes) == nil, "case \(position)")
        }
        let largest = Self.payload(voters: Array(1...40), learners: Array(41...64), contextCount: 1_024, contextBytes: 1_024)
        #expect(ConfigChangeRecord.decode(largest)?.context.count == 1_024)
        #expect(ConfigChangeRecord.decode(largest)?.membership.learners.count == 24)
    }
}
