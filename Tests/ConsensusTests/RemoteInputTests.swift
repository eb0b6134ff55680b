import Testing

@testable import Consensus
import Primitives

/// Remote input never traps: random, malformed and hostile messages are dropped or rejected.
@Suite struct RemoteInputTests {
    static func randomMessage(_ random: inout SplitMix64, to id: NodeID) -> Message {
        func small(_ bound: UInt64) -> UInt64 { random.next(below: bound) }
        let wild = small(10) == 0
        let kind = MessageKind(rawValue: UInt8(small(12)))!
        var message = Message(
            kind: kind, from: small(6), to: small(8) == 0 ? small(6) : id,
            term: wild ? random.next() : small(6), logTerm: wild ? random.next() : small(6),
            index: wild ? random.next() : small(12), commit: wild ? random.next() : small(14),
            reject: small(2) == 0, rejectHint: wild ? random.next() : small(12),
            context: small(3) == 0 ? ReadOnly.encode(small(4)) : [], leaseTick: small(30),
            isLeadershipTransfer: small(6) == 0)
        let count = Int(small(4))
        let start = small(4) == 0 ? small(12) : message.index + 1
        message.entries = (0..<count).map { offset in
            Entry(
                term: small(3) == 0 ? small(8) : message.term, index: start + UInt64(offset),
                kind: small(5) == 0 ? .configChange : .normal,
                data: small(3) == 0
                    ? ConfigChangeRecord(change: .addLearner(small(6) + 1), membership: Membership(voters: [1, 2, 3])).encoded()
                    : [UInt8(offset)])
        }
        if small(8) == 0 {
            let voters = (0..<small(4)).map { _ in small(6) }
            message.snapshot = Snapshot(
                metadata: SnapshotMetadata(index: wild ? random.next() : small(20), term: small(7), membership: Membership(voters: voters)),
                data: [1])
        }
        return message
    }

    @Test(arguments: UInt64(1)...8)
    func randomMessagesNeverTrapAndNeverMoveTheTermBack(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var network = TestNetwork(voters: [1, 2, 3])
        network.elect(1)
        try network.propose(1, [1])
        for step in 0..<3_000 {
            let target = NodeID(1 + random.next(below: 3))
            let termBefore = network[target].term
            let commitBefore = network[target].log.committed
            network[target].step(Self.randomMessage(&random, to: target))
            #expect(network[target].term >= termBefore && network[target].log.committed >= commitBefore)
            if step % 7 == 0 { network[target].tick() }
            if step % 3 == 0 { network.stabilize() }
            if step % 50 == 0 { try? network[target].propose([UInt8(truncatingIfNeeded: step)]) }
        }
    }
}
