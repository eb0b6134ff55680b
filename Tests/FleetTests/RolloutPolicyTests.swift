import Fleet
import Primitives
import Rollout
import Testing

/// The environments' rollout policies: set, replaced and reset per environment, refused for an
/// environment that does not exist or settings out of their bounds, dropped with the environment;
/// the command is version 10 (audited too), round trips and refuses every truncation; a snapshot is
/// version 10 exactly when it holds a policy or an audit record of setting one, round trips, and a
/// replica restored from it goes on like one that replayed the log.
struct RolloutPolicyTests {
    static let context = AuditContext(user: "root", role: .admin, source: "10.0.0.1", atMilliseconds: 5)

    /// A policy unlike the defaults in every part the codec writes.
    static let tuned: EnvironmentRolloutPolicy = {
        var gate = GateSettings()
        gate.pollIntervalMilliseconds = 1_000
        gate.minimumWaitMilliseconds = 5_000
        gate.maximumWaitMilliseconds = 120_000
        gate.consecutiveStable = 2
        gate.latencyBand = GateBand(relativeBasisPoints: 1_250, floor: 0.5)
        gate.noDataMaximumNodes = 1
        gate.onFailure = .pause
        return EnvironmentRolloutPolicy(gate: gate, parameters: StrategyParameters(rollingBatchSize: 2, canaryPercents: [50, 100]))
    }()

    @Test func anEnvironmentWithoutAPolicyUsesTheDefaults() {
        let state = FleetState()
        #expect(state.rolloutPolicy(of: "production") == .defaults)
        #expect(EnvironmentRolloutPolicy.defaults.gate == GateSettings())
        #expect(EnvironmentRolloutPolicy.defaults.parameters == StrategyParameters())
        #expect(EnvironmentRolloutPolicy.defaults.refusal() == nil)
    }

    @Test func aPolicyIsSetReplacedAndResetPerEnvironment() {
        var state = FleetState()
        #expect(state.applyNext(.setRolloutPolicy(environment: "qa", policy: Self.tuned))
                == .rolloutPolicySet(environment: "qa", policy: Self.tuned))
        #expect(state.rolloutPolicy(of: "qa") == Self.tuned)
        #expect(state.rolloutPolicy(of: "staging") == .defaults)
        var paused = Self.tuned
        paused.gate.onFailure = .recordOnly
        state.applyNext(.setRolloutPolicy(environment: "qa", policy: paused))
        #expect(state.rolloutPolicy(of: "qa").gate.onFailure == .recordOnly)
        #expect(state.applyNext(.setRolloutPolicy(environment: "qa", policy: nil)) == .rolloutPolicySet(environment: "qa", policy: nil))
        #expect(state.rolloutPolicies.isEmpty && state.rolloutPolicy(of: "qa") == .defaults)
    }

    @Test func unknownEnvironmentsAndSettingsOutOfBoundsAreRefused() {
        var state = FleetState()
        #expect(state.applyNext(.setRolloutPolicy(environment: "edge", policy: Self.tuned)) == .rejected(.notFound("edge")))
        #expect(state.applyNext(.setRolloutPolicy(environment: "edge", policy: nil)) == .rejected(.notFound("edge")))
        var fast = Self.tuned
        fast.gate.pollIntervalMilliseconds = 999
        var inverted = Self.tuned
        inverted.gate.minimumWaitMilliseconds = inverted.gate.maximumWaitMilliseconds + 1
        var falling = Self.tuned
        falling.parameters.canaryPercents = [60, 30, 100]
        var zeroBatch = Self.tuned
        zeroBatch.parameters.rollingBatchSize = 0
        for policy in [fast, inverted, falling, zeroBatch] {
            let reason = policy.refusal()
            #expect(reason != nil)
            #expect(state.applyNext(.setRolloutPolicy(environment: "qa", policy: policy)) == .rejected(.invalidRolloutPolicy(reason ?? "")))
        }
        #expect(state.rolloutPolicies.isEmpty)
    }

    @Test func deletingTheEnvironmentDropsItsPolicy() {
        var state = FleetState()
        state.applyNext(.setRolloutPolicy(environment: "qa", policy: Self.tuned))
        state.applyNext(.deleteUnusedEnvironment(name: "qa"))
        #expect(state.rolloutPolicies.isEmpty)
        state.applyNext(.putEnvironment(EnvironmentRecord(name: "qa", defaultStrategy: .rolling, requiresApproval: false)))
        #expect(state.rolloutPolicy(of: "qa") == .defaults, "a new environment of the same name starts from the defaults")
    }

    @Test func theCommandIsVersion10AndRoundTrips() throws {
        for command in [FleetCommand.setRolloutPolicy(environment: "qa", policy: Self.tuned),
                        .setRolloutPolicy(environment: "qa", policy: nil),
                        .audited(Self.context, .setRolloutPolicy(environment: "production", policy: .defaults))] {
            let bytes = FleetCodec.encode(command)
            #expect(bytes.first == 10)
            #expect(try FleetCodec.decodeCommand(bytes) == command)
            #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand([9] + bytes.dropFirst()) }
            for length in 1..<bytes.count {
                #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand(Array(bytes.prefix(length))) }
            }
        }
    }

    @Test func aCommandWithSettingsOutOfBoundsIsRefusedOnDecode() {
        var bytes = FleetCodec.encode(.setRolloutPolicy(environment: "qa", policy: .defaults))
        // Version, tag, the name, the flag byte, then the poll interval's four bytes.
        let header = 2 + (FleetCodec.encode(.deleteEnvironment(name: "qa")).count - 2) + 1
        bytes.replaceSubrange(header..<header + 4, with: [0, 0, 0, 0])
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand(bytes) }
    }

    @Test func aSnapshotIsVersion10OnlyWithAPolicyOrItsAuditRecord() throws {
        var state = FleetState()
        state.applyNext(.setModuleSigningKeys(environment: "qa", keys: [[UInt8](repeating: 1, count: 32)]))
        #expect(FleetCodec.encode(state).first == 9)
        state.applyNext(.setRolloutPolicy(environment: "qa", policy: Self.tuned))
        #expect(FleetCodec.encode(state).first == 10)
        #expect(try FleetCodec.decodeState(FleetCodec.encode(state)) == state)

        var audited = FleetState()
        audited.applyNext(.audited(Self.context, .setRolloutPolicy(environment: "qa", policy: nil)))
        #expect(audited.rolloutPolicies.isEmpty)
        #expect(FleetCodec.encode(audited).first == 10, "an older build could not read the record's action")
        #expect(try FleetCodec.decodeState(FleetCodec.encode(audited)) == audited)
    }

    @Test func aReplicaRestoredFromASnapshotGoesOnLikeOneThatReplayed() throws {
        var replayed = FleetState()
        replayed.applyNext(.setRolloutPolicy(environment: "qa", policy: Self.tuned))
        replayed.applyNext(.setRolloutPolicy(environment: "staging", policy: .defaults))
        var restored = try FleetCodec.decodeState(FleetCodec.encode(replayed))
        let rest: [FleetCommand] = [.setRolloutPolicy(environment: "staging", policy: nil), .deleteUnusedEnvironment(name: "qa"),
                                    .setRolloutPolicy(environment: "production", policy: Self.tuned)]
        for command in rest {
            #expect(restored.applyNext(command) == replayed.applyNext(command))
        }
        #expect(restored == replayed)
        #expect(Array(replayed.rolloutPolicies.keys) == ["production"])
    }

    /// A table naming an environment the snapshot does not hold, or one named twice, is refused, and
    /// so is every truncation of the snapshot.
    @Test func malformedSnapshotTablesAreRefused() throws {
        var state = FleetState()
        state.applyNext(.setRolloutPolicy(environment: "qa", policy: Self.tuned))
        let bytes = FleetCodec.encode(state)
        // The table is the snapshot's last part: a u32 count of 1, then "qa" and the policy's fields,
        // which are the command's without its version, tag and flag byte.
        let command = FleetCodec.encode(.setRolloutPolicy(environment: "qa", policy: Self.tuned))
        let nameBytes = FleetCodec.encode(.deleteEnvironment(name: "qa")).count - 2
        let entry = Array(command[2..<2 + nameBytes]) + Array(command[(3 + nameBytes)...])
        #expect(bytes.suffix(entry.count).elementsEqual(entry))
        let head = Array(bytes.dropLast(entry.count + 4))
        let count = Array(bytes.dropLast(entry.count).suffix(4))
        #expect(count.reduce(0, +) == 1)

        var stray = entry
        stray[nameBytes - 1] = UInt8(ascii: "x")
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeState(head + count + stray) }
        let two = count.map { $0 == 1 ? 2 : $0 }
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeState(head + two + entry + entry) }
        #expect(try FleetCodec.decodeState(head + count + entry) == state)
        for length in 0..<bytes.count {
            #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeState(Array(bytes.prefix(length))) }
        }
    }

    @Test func theOutcomeAndItsRejectionRoundTrip() throws {
        for outcome in [FleetOutcome.rolloutPolicySet(environment: "qa", policy: Self.tuned),
                        .rolloutPolicySet(environment: "qa", policy: nil),
                        .rejected(.invalidRolloutPolicy("the poll interval must be 1 s to 10 min"))] {
            var writer = BinaryWriter()
            FleetCodec.write(outcome, to: &writer)
            var reader = BinaryReader(writer.bytes)
            #expect(try FleetCodec.readOutcome(&reader, textBytesMaximum: 256) == outcome)
            #expect(reader.isAtEnd)
        }
        #expect(FleetRejection.invalidRolloutPolicy("x").code == "invalid_rollout_policy")
    }

    @Test func theAuditActionNamesTheEnvironment() {
        var state = FleetState()
        state.applyNext(.audited(Self.context, .setRolloutPolicy(environment: "qa", policy: Self.tuned)))
        var actions: [(AuditAction, String)] = []
        state.audit.forEachNewestFirst { record in
            actions.append((record.action, record.target))
            return true
        }
        #expect(actions.map(\.0) == [.environmentRolloutPolicy] && actions.map(\.1) == ["qa"])
        #expect(AuditAction.environmentRolloutPolicy.rawValue == "environment.rollout_policy")
    }
}
