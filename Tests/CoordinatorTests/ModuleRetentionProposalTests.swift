import Cluster
@testable import Coordinator
import Fleet
import Observability
import Primitives
import Testing

/// When the leader proposes deleting a module version past its retention
/// (`ModuleRetention.proposeIfDue`): only with a valid lease and a cluster that reads module
/// commands, the oldest collectable version no open module order installs, audited as the
/// retention user, one at a time; after a deletion the next follows at once, after a failure an
/// interval later, counted once per run.
struct ModuleRetentionProposalTests {
    final class Harness {
        let metrics = MetricsRegistry()
        let retention: ModuleRetention
        var submitted: [(ClusterRequest, @Sendable (ClusterOutcome) -> Void)] = []

        init() {
            let (sink, _) = LogSink.capturing()
            retention = ModuleRetention(keepingNewest: 1, logger: Logger(component: "test", sink: sink), metrics: metrics)
        }

        func propose(_ fleet: FleetState, isLeaseValid: Bool = true, at instant: MonotonicInstant) {
            retention.proposeIfDue(fleet: fleet, isLeaseValid: isLeaseValid, now: instant, nowMilliseconds: 9_000) { request, done in
                submitted.append((request, done))
            }
        }
    }

    static let start = MonotonicInstant(nanoseconds: 1_000_000_000_000)

    static func fleet(clusterVersion: UInt8 = 8) -> FleetState {
        var state = FleetState()
        _ = state.apply(.setClusterVersion(clusterVersion), at: 1)
        for (index, version) in ["1.0.0", "2.0.0", "3.0.0"].enumerated() {
            let record = ModuleRecord(name: "web", version: version, sha256: [UInt8](repeating: UInt8(index), count: 32), byteCount: 5,
                                      manifest: Array("{}".utf8), uploadedBy: "alice", uploadedAtMilliseconds: UInt64(100 + index))
            _ = state.apply(.putModule(record), at: UInt64(2 + index))
        }
        return state
    }

    static func deletion(_ version: String) -> ClusterRequest {
        let context = AuditContext(user: ModuleRetention.retentionUser, role: nil, source: nil, atMilliseconds: 9_000)
        return .write(FleetCodec.encode(.audited(context, .deleteModule(name: "web", version: version))))
    }

    @Test func onlyALeaderWithAValidLeaseInAClusterThatReadsModulesProposes() {
        let harness = Harness()
        harness.propose(Self.fleet(), isLeaseValid: false, at: Self.start)
        harness.propose(Self.fleet(clusterVersion: 7), at: Self.start)
        harness.propose(FleetState(), at: Self.start)
        #expect(harness.submitted.isEmpty)
        harness.propose(Self.fleet(), at: Self.start)
        #expect(harness.submitted.map(\.0) == [Self.deletion("1.0.0")], "the oldest first")
    }

    @Test func oneAtATimeTheNextAtOnceAfterADeletion() {
        let harness = Harness()
        harness.propose(Self.fleet(), at: Self.start)
        harness.propose(Self.fleet(), at: Self.start.advanced(by: .seconds(60)))
        #expect(harness.submitted.count == 1, "a second while the first is in flight")
        harness.submitted[0].1(.applied(.moduleDeleted(name: "web", version: "1.0.0")))
        harness.propose(Self.fleet(), at: Self.start)
        #expect(harness.submitted.count == 2)
        #expect(harness.metrics.value("hotswap_module_versions_collected_total") == 1)
    }

    @Test func aFailureWaitsAnIntervalAndIsCountedOncePerRun() {
        let harness = Harness()
        let failed = "hotswap_module_collections_failed_total"
        var instant = Self.start
        for _ in 0..<3 {
            harness.propose(Self.fleet(), at: instant)
            harness.submitted.last?.1(.refused(.noLeader("x")))
            harness.propose(Self.fleet(), at: instant.advanced(by: ModuleRetention.interval - .milliseconds(1)))
            instant = instant.advanced(by: ModuleRetention.interval)
        }
        #expect(harness.submitted.count == 3, "one per interval")
        #expect(harness.metrics.value(failed) == 1)
    }

    @Test func aVersionAnOpenOrderInstallsIsKept() {
        let harness = Harness()
        harness.retention.versionsOrdered = { ["web": ["1.0.0"], "api": ["2.0.0"]] }
        harness.propose(Self.fleet(), at: Self.start)
        #expect(harness.submitted.map(\.0) == [Self.deletion("2.0.0")], "the oldest one no order installs")
        harness.submitted[0].1(.applied(.moduleDeleted(name: "web", version: "2.0.0")))
        harness.retention.versionsOrdered = { ["web": ["1.0.0", "2.0.0"]] }
        harness.propose(Self.fleet(), at: Self.start)
        #expect(harness.submitted.count == 1, "every collectable version is ordered")
    }
}
