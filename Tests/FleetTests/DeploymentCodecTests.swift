import Fleet
import Primitives
import Rollout
import Testing

/// The deployment commands, outcomes and snapshot tables in the binary form: version 10 round
/// trips, every truncation and hostile lengths refused, values that are not finite refused, a
/// snapshot is version 10 exactly when it holds a deployment or an audit record of one, and a
/// replay equals the restored snapshot.
struct DeploymentCodecTests {
    typealias Fixtures = DeploymentFixtures
    static let context = AuditContext(user: "alice", role: .deployer, source: "10.0.0.1", atMilliseconds: 5)

    static var commands: [FleetCommand] {
        var running = Fixtures.record()
        running.state = .rollingBack
        running.stateReason = "why"
        running.approval = ApprovalRecord(expiresAtMilliseconds: 9, decision: .approved, decidedBy: "root", reason: "ok",
                                          decidedAtMilliseconds: 3)
        running.waves[0] = WaveRecord(state: .passed, startedAtMilliseconds: 1, gatingSinceMilliseconds: 2, baseline: Fixtures.baseline(1),
                                      decisions: [Fixtures.decision(.proceed, poll: 1, size: 1)], decisionCount: 7,
                                      passedBy: .promoted(by: "carol"), failure: "none")
        running.waves[1].passedBy = .dryRun
        running.nodes[1].previousVersion = nil
        running.finishedAtMilliseconds = 11
        return [
            .createDeployment(Fixtures.record()), .createDeployment(running),
            .decideApproval(id: "d1", approve: true, by: "root", reason: "ship it", atMilliseconds: 4),
            .expireApproval(id: "d1", atMilliseconds: 5),
            .startWave(id: "d1", wave: 3, baseline: Fixtures.baseline(4), atMilliseconds: 6),
            .recordNodeInstall(id: "d1", node: "n0-0", succeeded: false, detail: "exit 3", atMilliseconds: 7),
            .recordGateDecision(id: "d1", wave: 1, decision: Fixtures.decision(.fail, poll: 4, size: 3, reason: .ceiling),
                                atMilliseconds: 8),
            .controlDeployment(id: "d1", action: .promote, by: "bob", reason: "", atMilliseconds: 9),
            .recordNodeRollback(id: "d1", node: "n0-0", succeeded: true, detail: "", atMilliseconds: 10),
            .compactDeployments(beforeMilliseconds: 11),
            .audited(context, .controlDeployment(id: "d1", action: .abort, by: "alice", reason: "oops", atMilliseconds: 5)),
        ]
    }

    @Test func everyCommandIsVersion10AndRoundTrips() throws {
        for command in Self.commands {
            let bytes = FleetCodec.encode(command)
            #expect(bytes.first == 10)
            #expect(try FleetCodec.decodeCommand(bytes) == command)
            #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand([9] + bytes.dropFirst()) }
        }
    }

    @Test func everyTruncationIsRefused() {
        for command in Self.commands {
            let bytes = FleetCodec.encode(command)
            for length in 0..<bytes.count {
                #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand(Array(bytes.prefix(length))) }
            }
        }
    }

    @Test func compactionIsNeverAudited() {
        var writer = BinaryWriter()
        writer.write(UInt8(10))
        writer.write(UInt8(20))
        FleetCodec.write(Self.context, to: &writer)
        writer.write(UInt8(43))
        writer.write(UInt64(1))
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand(writer.bytes) }
    }

    /// A node count of 2^32 - 1 in a create, a wave table over 64, values that are not finite, and
    /// unknown enumeration values are refused.
    @Test func hostileFieldsAreRefused() throws {
        let bytes = FleetCodec.encode(.createDeployment(Fixtures.record(sizes: [1])))
        // From the end: the node table's count, its one node (id, wave, previous version, state,
        // detail), the finished flag and the paused flag.
        let countAt = bytes.count - (4 + 4 + "n0-0".utf8.count + 2 + 1 + 4 + "1.0.0".utf8.count + 1 + 4 + 1 + 1)
        #expect(Array(bytes[countAt..<countAt + 4]) == [0, 0, 0, 1] || Array(bytes[countAt..<countAt + 4]) == [1, 0, 0, 0])
        var hostile = bytes
        hostile.replaceSubrange(countAt..<countAt + 4, with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand(hostile) }

        let encoded = FleetCodec.encode(.recordGateDecision(id: "d1", wave: 0, decision: Fixtures.decision(.wait, poll: 1, size: 1),
                                                            atMilliseconds: 1))
        let patterns = [Double(22).bitPattern.bigEndian, Double(22).bitPattern.littleEndian].map { value in
            withUnsafeBytes(of: value) { Array($0) }
        }
        let found = (0...(encoded.count - 8)).lazy.compactMap { at in
            patterns.firstIndex { Array(encoded[at..<at + 8]) == $0 }.map { (at, $0) }
        }.first
        let (at, order) = try #require(found)
        var poisoned = encoded
        let nan = order == 0 ? Double.nan.bitPattern.bigEndian : Double.nan.bitPattern.littleEndian
        poisoned.replaceSubrange(at..<at + 8, with: withUnsafeBytes(of: nan) { Array($0) })
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand(poisoned) }

        let control = FleetCodec.encode(.controlDeployment(id: "d1", action: .pause, by: "b", reason: "", atMilliseconds: 1))
        var unknown = control
        unknown[2 + 4 + 2] = 9
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeCommand(unknown) }
    }

    @Test func outcomesAndRejectionsRoundTrip() throws {
        let record = try #require(Fixtures.state().deploymentsAfter(.createDeployment(Fixtures.record())).first)
        let outcomes: [FleetOutcome] = [
            .deploymentStored(record, change: .created), .deploymentStored(record, change: .approval(.expired)),
            .deploymentStored(record, change: .action(.rollback)), .deploymentStored(record, change: .wave(index: 2, state: .gating)),
            .deploymentStored(record, change: .node(id: "n0-0", state: .rollbackFailed)),
            .deploymentStored(record, change: .gate(wave: 1, verdict: .wait, reason: .noData)),
            .deploymentStored(record, change: .unchanged), .deploymentsCompacted(removed: 3),
            .rejected(.unknownDeployment("d1")), .rejected(.invalidDeployment("x")), .rejected(.deploymentExists("d1")),
            .rejected(.deploymentInProgress(id: "d0")), .rejected(.tooManyDeployments(maximum: 1_024)),
            .rejected(.invalidTransition(id: "d1", from: .paused, action: "pause")), .rejected(.approvalExpired(id: "d1")),
            .rejected(.invalidDeploymentStep(id: "d1", reason: "why")),
            .rejected(.moduleInUse(name: "web", version: "1.0.0", deployment: "d1")),
            .rejected(.selfApproval(id: "d1", user: "alice")),
            .deploymentStored(record, change: .approval(.withdrawn)), .deploymentSummarized(DeploymentHeadline(record)),
        ]
        for outcome in outcomes {
            var writer = BinaryWriter()
            FleetCodec.write(outcome, to: &writer)
            var reader = BinaryReader(writer.bytes)
            #expect(try FleetCodec.readOutcome(&reader, textBytesMaximum: 256) == outcome)
            try reader.expectEnd()
        }
    }

    /// The log of a whole deployment replayed equals the snapshot taken after it, restored.
    @Test func aSnapshotHoldsDeploymentsAsVersion10AndEqualsTheReplay() throws {
        var state = Fixtures.state()
        #expect(FleetCodec.encode(state).first != 10)
        var log: [FleetCommand] = [.createDeployment(Fixtures.record(onFailure: .pause))]
        log.append(.startWave(id: "d1", wave: 0, baseline: Fixtures.baseline(1), atMilliseconds: 1))
        log.append(.recordNodeInstall(id: "d1", node: "n0-0", succeeded: true, detail: "ok", atMilliseconds: 2))
        log += (1...20).map {
            .recordGateDecision(id: "d1", wave: 0, decision: Fixtures.decision(.wait, poll: $0, size: 1), atMilliseconds: 3)
        }
        log.append(.recordGateDecision(id: "d1", wave: 0, decision: Fixtures.decision(.fail, poll: 21, size: 1), atMilliseconds: 4))
        log.append(.createDeployment(Fixtures.record("d2", module: "api", environment: "production")))
        log.append(.audited(Self.context, .decideApproval(id: "d2", approve: false, by: "alice", reason: "no", atMilliseconds: 6)))
        for command in log { state.applyNext(command) }
        let bytes = FleetCodec.encode(state)
        #expect(bytes.first == 10)
        let restored = try FleetCodec.decodeState(bytes)
        #expect(restored == state)
        #expect(restored.deployments["d1"]?.waves[0].decisions.count == 16 && restored.deployments["d1"]?.state == .paused)
        for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 500)) {
            #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeState(Array(bytes.prefix(length))) }
        }

        var replayed = Fixtures.state()
        for command in log { replayed.applyNext(command) }
        #expect(replayed == restored)
    }

    @Test func anAuditRecordOfADeploymentActionMakesTheSnapshotVersion10() throws {
        var state = Fixtures.state()
        state.applyNext(.audited(Self.context, .controlDeployment(id: "none", action: .abort, by: "alice", reason: "", atMilliseconds: 5)))
        #expect(state.deployments.isEmpty && state.audit.count == 1)
        #expect(FleetCodec.encode(state).first == 10, "an older build could not read the record's action")
        #expect(try FleetCodec.decodeState(FleetCodec.encode(state)) == state)
    }

    /// A snapshot's deployment table declaring 2^32 - 1 records, or holding what `apply` never
    /// holds (two unfinished deployments of one module and environment, a malformed plan), is refused.
    @Test func hostileSnapshotTablesAreRefused() throws {
        var audited = Fixtures.state()
        audited.applyNext(.audited(Self.context, .controlDeployment(id: "none", action: .abort, by: "a", reason: "", atMilliseconds: 5)))
        let empty = FleetCodec.encode(audited)
        #expect(Array(empty.suffix(8)) == [0, 0, 0, 0, 0, 0, 0, 0], "the deployment table, then the policy table, are last")
        let hostile = Array(empty.dropLast(8)) + [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]
        let tooMany = BinaryDecodingError.invalidValue(offset: empty.count - 8,
                                                       detail: "4294967295 records, over \(FleetState.deploymentsMaximum)")
        #expect(throws: tooMany) { try FleetCodec.decodeState(hostile) }

        var state = Fixtures.state()
        state.applyNext(.createDeployment(Fixtures.record("d1")))
        state.applyNext(.createDeployment(Fixtures.record("d2", module: "api")))
        let bytes = FleetCodec.encode(state)
        let d2 = [0, 0, 0, 2] + Array("d2".utf8) + [0, 0, 0, 3] + Array("api".utf8)
        let at = try #require((0...(bytes.count - d2.count)).last { Array(bytes[$0..<$0 + d2.count]) == d2 })
        var twice = bytes
        twice.replaceSubrange(at + 10..<at + 13, with: Array("web".utf8))
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeState(twice) }
        var badID = bytes
        badID.replaceSubrange(at + 4..<at + 6, with: Array("D2".utf8))
        #expect(throws: BinaryDecodingError.self) { try FleetCodec.decodeState(badID) }
        #expect(try FleetCodec.decodeState(bytes) == state)
    }
}

extension FleetState {
    /// The deployments after applying `command` at the next index.
    func deploymentsAfter(_ command: FleetCommand) -> [DeploymentRecord] {
        var state = self
        state.applyNext(command)
        return state.sortedDeployments
    }
}
