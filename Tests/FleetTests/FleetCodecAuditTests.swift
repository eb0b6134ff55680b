import Fleet
import Primitives
import Testing

/// The audit trail's encoding (version 6): its commands and a snapshot holding records round trip
/// and are written as version 6 only when they must be; snapshots of the versions before still
/// decode (with no trail); a nested audit command, an unknown action and records out of order are
/// refused.
struct FleetCodecAuditTests {
    typealias F = AccessFixtures

    static let context = AuditContext(user: "alice", role: .deployer, source: "2001:db8::7", atMilliseconds: 1_750_000_000_123)

    static let commands: [FleetCommand] = [
        .audited(context, .putEnvironment(EnvironmentRecord(name: "edge", defaultStrategy: .canary, requiresApproval: false))),
        .audited(AuditContext(user: "-", role: nil, source: nil, atMilliseconds: 0), .recordLoginFailure(name: "bob", atMilliseconds: 9)),
        .audited(context, .putMember(ClusterMemberRecord(name: "c4", peerAddress: "10.0.0.4:7000"))),
        .auditUnknownLogin(.unknown(source: "192.0.2.1", atMilliseconds: .max)),
        .compactAudit(beforeMilliseconds: 1_742_000_000_000),
    ]

    @Test(arguments: commands)
    func eachAuditCommandIsVersion6AndRoundTrips(_ command: FleetCommand) throws {
        let bytes = FleetCodec.encode(command)
        #expect(bytes.first == 6)
        #expect(try FleetCodec.decodeCommand(bytes) == command)
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand([5] + bytes.dropFirst()) }
    }

    @Test func theEncodingIsPinned() throws {
        let pinned: [UInt8] = [0x06, 0x16, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2A]
        #expect(FleetCodec.encode(.compactAudit(beforeMilliseconds: 42)) == pinned)
        let audited: [UInt8] = [0x06, 0x14] + [0x00, 0x00, 0x00, 0x01, 0x61, 0x03, 0x00, 0x00, 0x00, 0x01, 0x2D]
            + [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07] + [0x12, 0x00, 0x00, 0x00, 0x01, 0x62]
        let command = FleetCommand.audited(AuditContext(user: "a", role: .admin, source: nil, atMilliseconds: 7), .unlockUser(name: "b"))
        #expect(FleetCodec.encode(command) == audited)
        #expect(try FleetCodec.decodeCommand(audited) == command)
    }

    @Test func anAuditedCommandCannotBeAnAuditCommand() {
        let nested = FleetCodec.encode(.audited(Self.context, .compactAudit(beforeMilliseconds: 1)))
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand(nested) }
        let twice = FleetCodec.encode(.audited(Self.context, .audited(Self.context, .unlockUser(name: "b"))))
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand(twice) }
    }

    @Test func aSnapshotWithAnAuditTrailIsVersion6AndRoundTrips() throws {
        var state = F.bootstrapped()
        #expect(FleetCodec.encode(state).first == 5)
        state.applyNext(.audited(Self.context, .addUser(F.user("bob"))))
        state.applyNext(.audited(Self.context, .deleteUser(name: "nobody")))
        state.applyNext(.auditUnknownLogin(.unknown(source: nil, atMilliseconds: 3)))
        let bytes = FleetCodec.encode(state)
        #expect(bytes.first == 6)
        let decoded = try FleetCodec.decodeState(bytes)
        #expect(decoded == state)
        #expect(decoded.audit.records.map(\.outcome) == ["applied", "refused:not_found", "failure"])
        state.applyNext(.compactAudit(beforeMilliseconds: .max))
        #expect(state.audit.isEmpty)
        #expect(FleetCodec.encode(state).first == 5, "an empty trail that never dropped a record needs no version 6")
    }

    @Test func aSnapshotOfAnEarlierVersionDecodesWithNoTrail() throws {
        let state = F.bootstrapped()
        let decoded = try FleetCodec.decodeState(FleetCodec.encode(state))
        #expect(decoded.audit.isEmpty)
        #expect(decoded == state)
    }

    @Test func aTrailOutOfOrderOrPastTheAppliedIndexIsRefused() {
        let record = { (index: UInt64) in
            AuditRecord(index: index, atMilliseconds: 1, user: "a", role: nil, source: "-", action: .userAdd, target: "b",
                        outcome: "applied")
        }
        for (indices, applied) in [([UInt64(3), 2], UInt64(5)), ([2, 2], 5), ([1, 6], 5)] {
            #expect(throws: BinaryDecodingError.self, "\(indices)") {
                try FleetCodec.decodeState(Self.snapshot(indices.map(record), applied))
            }
        }
        #expect(throws: Never.self) { try FleetCodec.decodeState(Self.snapshot([record(1), record(5)], 5)) }
    }

    @Test func anUnknownActionIsRefused() throws {
        let good = AuditRecord(index: 1, atMilliseconds: 1, user: "a", role: nil, source: "-", action: .userAdd, target: "b",
                               outcome: "applied")
        let bytes = Self.snapshot([good], 1)
        let action = Array(AuditAction.userAdd.rawValue.utf8)
        let start = try #require(bytes.indices.first { bytes[$0...].starts(with: action) })
        var damaged = bytes
        damaged[start] = UInt8(ascii: "v")
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeState(damaged) }
    }

    /// A version-6 snapshot of an empty state at `appliedIndex` holding `records`.
    static func snapshot(_ records: [AuditRecord], _ appliedIndex: UInt64) -> [UInt8] {
        var writer = BinaryWriter()
        writer.write(UInt8(6))
        writer.write(appliedIndex)
        for _ in 0..<8 { writer.write(UInt32(0)) }
        writer.write(UInt64(0))
        writer.write(UInt32(records.count))
        for record in records {
            writer.write(record.index)
            writer.write(record.atMilliseconds)
            writer.write(record.user)
            writer.write(UInt8(0))
            writer.write(record.source)
            writer.write(record.action.rawValue)
            writer.write(record.target)
            writer.write(record.outcome)
        }
        return writer.bytes
    }
}
