import Fleet
import Primitives
import Testing

/// The environments' module signing keys: set, replaced and cleared per environment, refused when
/// malformed or for an environment that does not exist, dropped with the environment; the command
/// is version 9 (audited too) and round trips; a snapshot is version 9 exactly when it holds keys
/// or an audit record of setting them, and round trips; malformed tables are refused on decode.
struct ModuleSigningPolicyTests {
    static let key = [UInt8](repeating: 1, count: 32)
    static let other = [UInt8](repeating: 2, count: 32)
    static let context = AuditContext(user: "root", role: .admin, source: "10.0.0.1", atMilliseconds: 5)

    /// A new cluster's state, with its default environments.
    static func state() -> FleetState {
        FleetState()
    }

    @Test func keysAreSetReplacedAndClearedPerEnvironment() {
        var state = Self.state()
        #expect(state.moduleSigningKeys(of: "production").isEmpty)
        #expect(state.applyNext(.setModuleSigningKeys(environment: "production", keys: [Self.key]))
                == .moduleSigningKeysSet(environment: "production", keys: [Self.key]))
        #expect(state.moduleSigningKeys(of: "production") == [Self.key])
        state.applyNext(.setModuleSigningKeys(environment: "production", keys: [Self.other, Self.key]))
        #expect(state.moduleSigningKeys(of: "production") == [Self.other, Self.key])
        state.applyNext(.setModuleSigningKeys(environment: "production", keys: []))
        #expect(state.moduleSigningKeys.isEmpty)
    }

    @Test func malformedKeysAndUnknownEnvironmentsAreRefused() {
        var state = Self.state()
        #expect(state.applyNext(.setModuleSigningKeys(environment: "edge", keys: [Self.key])) == .rejected(.notFound("edge")))
        let malformed: [[[UInt8]]] = [[[1, 2]], [Self.key, Self.key],
                                      (0...FleetState.moduleSigningKeysMaximum).map { [UInt8](repeating: UInt8($0), count: 32) }]
        for keys in malformed {
            guard case .rejected(.invalidModuleSigningKeys) = state.applyNext(.setModuleSigningKeys(environment: "production", keys: keys))
            else { Issue.record("\(keys.count) keys were taken"); continue }
        }
        #expect(state.moduleSigningKeys.isEmpty)
    }

    @Test func deletingTheEnvironmentDropsItsKeys() {
        var state = Self.state()
        state.applyNext(.setModuleSigningKeys(environment: "production", keys: [Self.key]))
        state.applyNext(.deleteUnusedEnvironment(name: "production"))
        #expect(state.moduleSigningKeys.isEmpty)
    }

    @Test func theCommandIsVersion9AndRoundTrips() throws {
        for command in [FleetCommand.setModuleSigningKeys(environment: "production", keys: [Self.key, Self.other]),
                        .setModuleSigningKeys(environment: "production", keys: []),
                        .audited(Self.context, .setModuleSigningKeys(environment: "production", keys: [Self.key]))] {
            let bytes = FleetCodec.encode(command)
            #expect(bytes.first == 9)
            #expect(try FleetCodec.decodeCommand(bytes) == command)
            #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand([8] + bytes.dropFirst()) }
        }
    }

    @Test func aSnapshotIsVersion9OnlyWithKeysOrTheirAuditRecords() throws {
        var state = Self.state()
        #expect(FleetCodec.encode(state).first != 9)
        state.applyNext(.setModuleSigningKeys(environment: "production", keys: [Self.key]))
        #expect(FleetCodec.encode(state).first == 9)
        #expect(try FleetCodec.decodeState(FleetCodec.encode(state)) == state)

        var audited = Self.state()
        audited.applyNext(.audited(Self.context, .setModuleSigningKeys(environment: "production", keys: [])))
        #expect(audited.moduleSigningKeys.isEmpty)
        #expect(FleetCodec.encode(audited).first == 9, "an older build could not read the record's action")
        #expect(try FleetCodec.decodeState(FleetCodec.encode(audited)) == audited)
    }

    /// A table naming an environment that does not exist, or one with no key, is refused.
    @Test func malformedSnapshotTablesAreRefused() throws {
        var state = Self.state()
        state.applyNext(.setModuleSigningKeys(environment: "production", keys: [Self.key]))
        let bytes = FleetCodec.encode(state)
        let name = Array("production".utf8)
        guard let at = (0...(bytes.count - name.count)).last(where: { Array(bytes[$0..<$0 + name.count]) == name }) else {
            Issue.record("no environment name in the snapshot's table")
            return
        }
        var stray = bytes
        stray[at] = UInt8(ascii: "q")
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeState(stray) }
        var empty = Array(bytes[..<(at + name.count)])
        empty.append(0)
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeState(empty) }
    }

    @Test func theOutcomeAndItsRejectionRoundTrip() throws {
        for outcome in [FleetOutcome.moduleSigningKeysSet(environment: "production", keys: [Self.key]),
                        .rejected(.invalidModuleSigningKeys("a key is named twice"))] {
            var writer = BinaryWriter()
            FleetCodec.write(outcome, to: &writer)
            var reader = BinaryReader(writer.bytes)
            #expect(try FleetCodec.readOutcome(&reader, textBytesMaximum: 256) == outcome)
        }
    }
}
