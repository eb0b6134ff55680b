import Fleet
import Primitives
import Testing

/// The audit trail's encoding (version 6): its commands and a snapshot holding records round trip
/// and are written as version 6 only when they must be; snapshots of the versions before still
/// decode (with no trail); a nested audit command, an unknown action, records out of order, more
/// records of a kind than its share and a compaction's count over the bound are refused.
struct FleetCodecAuditTests {
    typealias F = AccessFixtures

    static let context = AuditContext(user: "alice", role: .deployer, source: "2001:db8::7", atMilliseconds: 1_750_000_000_123)

    static let commands: [FleetCommand] = [
        .audited(context, .putEnvironment(EnvironmentRecord(name: "edge", defaultStrategy: .canary, requiresApproval: false))),
        .audited(AuditContext(user: "-", role: nil, source: nil, atMilliseconds: 0), .recordLoginFailure(name: "bob", atMilliseconds: 9)),
        .audited(context, .putMember(ClusterMemberRecord(name: "c4", peerAddress: "10.0.0.4:7000"))),
        .audited(.unknown(source: "192.0.2.1", atMilliseconds: .max), .recordUnknownLogin),
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

    @Test func anUnknownNamesLoginIsOnlyEverAudited() throws {
        let audited = FleetCommand.audited(.unknown(source: nil, atMilliseconds: 1), .recordUnknownLogin)
        #expect(FleetCodec.encode(.recordUnknownLogin) == [0x06, 0x15])
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand([0x06, 0x15]) }
        #expect(try FleetCodec.decodeCommandToAudit([0x06, 0x15]) == .recordUnknownLogin, "what the leader wraps")
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommandToAudit(FleetCodec.encode(audited)) }
        #expect(try FleetCodec.decodeCommand(FleetCodec.encode(audited)) == audited)
    }

    @Test func aSnapshotWithAnAuditTrailIsVersion6AndRoundTrips() throws {
        var state = F.bootstrapped()
        #expect(FleetCodec.encode(state).first == 5)
        state.applyNext(.audited(Self.context, .addUser(F.user("bob"))))
        state.applyNext(.audited(Self.context, .deleteUser(name: "nobody")))
        state.applyNext(.audited(.unknown(source: nil, atMilliseconds: 3), .recordUnknownLogin))
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
        #expect(try FleetCodec.decodeState(bytes).audit.records == [good], "the undamaged bytes decode")
        let action = Array(AuditAction.userAdd.rawValue.utf8)
        let start = try #require(bytes.indices.first { bytes[$0...].starts(with: action) })
        var damaged = bytes
        damaged[start] = UInt8(ascii: "v")
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeState(damaged) }
    }

    @Test func aSnapshotWithMoreRecordsOfAKindThanItsShareIsRefused() throws {
        let login = { (index: UInt64) in
            AuditRecord(index: index, atMilliseconds: 1, user: "-", role: nil, source: "-", action: .authLogin, target: "-",
                        outcome: "failure")
        }
        let full = (1...UInt64(AuditTrail.loginRecordsMaximum)).map(login)
        #expect(try FleetCodec.decodeState(Self.snapshot(full, UInt64(full.count + 1))).audit.count == full.count)
        let over = full + [login(UInt64(full.count + 1))]
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeState(Self.snapshot(over, UInt64(over.count))) }
    }

    @Test func aStateRestoredFromItsSnapshotEqualsItsReplayAndDropsAlike() throws {
        // Both shares full and dropping: the restored trail is chunked differently, but holds, drops
        // and encodes the same records as the replayed one, before and after more entries.
        var replayed = FleetState()
        var index: UInt64 = 0
        let next = { (state: inout FleetState, command: FleetCommand) in
            index += 1
            state.apply(command, at: index)
        }
        for count in 0..<(AuditTrail.writeRecordsMaximum + 5) {
            next(&replayed, .audited(Self.context, .unlockUser(name: "w\(count % 7)")))
            if count % 3 == 0 { next(&replayed, .audited(.unknown(source: nil, atMilliseconds: index), .recordUnknownLogin)) }
        }
        #expect(replayed.audit.droppedWrites == 5)
        #expect(replayed.audit.droppedLogins > 0)
        var restored = try FleetCodec.decodeState(FleetCodec.encode(replayed))
        #expect(restored == replayed)
        let more: [FleetCommand] = [
            .audited(.unknown(source: nil, atMilliseconds: 5), .recordUnknownLogin), .audited(Self.context, .unlockUser(name: "x")),
            .compactAudit(beforeMilliseconds: 1_000),
        ]
        let start = index
        for (offset, command) in more.enumerated() {
            replayed.apply(command, at: start + 1 + UInt64(offset))
            restored.apply(command, at: start + 1 + UInt64(offset))
        }
        #expect(restored == replayed)
        #expect(FleetCodec.encode(restored) == FleetCodec.encode(replayed))
    }

    @Test(arguments: [-1, AuditTrail.recordsMaximum + 1, Int.max])
    func aCompactionsOutcomeOverTheTrailsBoundIsRefused(removed: Int) {
        var writer = BinaryWriter()
        FleetCodec.write(.auditCompacted(removed: removed), to: &writer)
        var reader = BinaryReader(writer.bytes)
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.readOutcome(&reader, textBytesMaximum: 256) }
    }

    @Test func aCompactionsOutcomeWithinTheBoundDecodes() throws {
        for removed in [0, AuditTrail.recordsMaximum] {
            var writer = BinaryWriter()
            FleetCodec.write(.auditCompacted(removed: removed), to: &writer)
            var reader = BinaryReader(writer.bytes)
            #expect(try FleetCodec.readOutcome(&reader, textBytesMaximum: 256) == .auditCompacted(removed: removed))
        }
    }

    /// A version-6 snapshot of an empty state at `appliedIndex` holding `records`, none dropped.
    static func snapshot(_ records: [AuditRecord], _ appliedIndex: UInt64) -> [UInt8] {
        var writer = BinaryWriter()
        writer.write(UInt8(6))
        writer.write(appliedIndex)
        for _ in 0..<8 { writer.write(UInt32(0)) }
        writer.write(UInt64(0))
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
