import Cluster
@testable import Coordinator
import Fleet
import Observability
import Primitives
import Testing

/// When the leader proposes dropping audit records (`AuditRetention.proposeIfDue`): only with a
/// valid lease, once a compaction is due, one at a time and at most once per interval, its cut-off
/// held to the newest record's time less the retention; failures counted once per run, a clock
/// past every record logged and counted once per run, and a context time far from the leader's
/// clock replaced and counted.
struct AuditRetentionTests {
    static let day: UInt64 = 86_400_000
    static let now = 100 * day

    /// A retention of a day, the metrics it counts in, and its log.
    final class Harness {
        let metrics = MetricsRegistry()
        let log: LogCapture
        let retention: AuditRetention
        var submitted: [(ClusterRequest, @Sendable (ClusterOutcome) -> Void)] = []

        init() {
            let (sink, log) = LogSink.capturing()
            self.log = log
            retention = AuditRetention(retention: .seconds(86_400), logger: Logger(component: "test", sink: sink), metrics: metrics)
        }

        func propose(_ trail: AuditTrail, isLeaseValid: Bool = true, at instant: MonotonicInstant,
                     nowMilliseconds: UInt64 = AuditRetentionTests.now) {
            retention.proposeIfDue(trail: trail, isLeaseValid: isLeaseValid, now: instant,
                                   nowMilliseconds: nowMilliseconds) { request, done in submitted.append((request, done)) }
        }
    }

    /// A trail with a write at each of `times`.
    static func trail(_ times: [UInt64]) -> AuditTrail {
        var state = FleetState()
        for (offset, at) in times.enumerated() {
            let context = AuditContext(user: "a", role: .admin, source: nil, atMilliseconds: at)
            state.apply(.audited(context, .unlockUser(name: "b")), at: UInt64(offset + 1))
        }
        return state.audit
    }

    static let due = trail([now - 2 * day, now])
    static let start = MonotonicInstant(nanoseconds: 1_000_000_000_000)

    static func compaction(before: UInt64) -> ClusterRequest {
        .write(FleetCodec.encode(.compactAudit(beforeMilliseconds: before)))
    }

    @Test func onlyALeaderWithAValidLeaseProposesAndOnlyWhenDue() {
        let harness = Harness()
        harness.propose(Self.due, isLeaseValid: false, at: Self.start)
        harness.propose(Self.trail([Self.now - Self.day / 2, Self.now]), at: Self.start)
        harness.propose(AuditTrail(), at: Self.start)
        #expect(harness.submitted.isEmpty)
        harness.propose(Self.due, at: Self.start)
        #expect(harness.submitted.map(\.0) == [Self.compaction(before: Self.now - Self.day)])
    }

    @Test func oneAtATimeAndAtMostOncePerInterval() {
        let harness = Harness()
        harness.propose(Self.due, at: Self.start)
        harness.propose(Self.due, at: Self.start.advanced(by: .seconds(120)))
        #expect(harness.submitted.count == 1, "a second while the first is in flight")
        harness.submitted[0].1(.applied(.auditCompacted(removed: 1)))
        harness.propose(Self.due, at: Self.start.advanced(by: AuditRetention.interval - .milliseconds(1)))
        #expect(harness.submitted.count == 1, "within the interval")
        harness.propose(Self.due, at: Self.start.advanced(by: AuditRetention.interval))
        #expect(harness.submitted.count == 2)
        #expect(harness.log.lines.contains { $0.contains("dropped audit records past their retention") })
    }

    @Test func failuresAreCountedOncePerRun() {
        let harness = Harness()
        let failed = "hotswap_audit_compactions_failed_total"
        var instant = Self.start
        // Each retry is a minute later, so its cut-off differs: still one run.
        for (attempt, outcome) in [ClusterOutcome.refused(.noLeader("x")), .refused(.tooManyPendingWrites),
                                   .applied(.auditCompacted(removed: 1)), .refused(.noLeader("x"))].enumerated() {
            harness.propose(Self.due, at: instant, nowMilliseconds: Self.now + UInt64(attempt) * 60_000)
            harness.submitted[attempt].1(outcome)
            instant = instant.advanced(by: AuditRetention.interval)
        }
        #expect(harness.submitted.count == 4)
        #expect(harness.metrics.value(failed) == 2, "two runs of failures")
    }

    @Test func aClockPastEveryRecordIsHeldToTheNewestAndCountedOncePerRun() {
        let harness = Harness()
        let ahead = "hotswap_audit_compaction_clock_ahead_total"
        let yearsAhead = Self.now + 3_650 * Self.day
        harness.propose(Self.due, at: Self.start, nowMilliseconds: yearsAhead)
        #expect(harness.submitted.map(\.0) == [Self.compaction(before: Self.now - Self.day)], "not the clock's cut-off")
        harness.submitted[0].1(.applied(.auditCompacted(removed: 1)))
        harness.propose(Self.due, at: Self.start.advanced(by: AuditRetention.interval), nowMilliseconds: yearsAhead)
        #expect(harness.metrics.value(ahead) == 1)
        #expect(harness.log.lines.filter { $0.contains("past the newest audit record") }.count == 1)
        harness.submitted[1].1(.applied(.auditCompacted(removed: 0)))
        // A check with the clock back (nothing due, nothing proposed) ends the run.
        harness.propose(Self.trail([Self.now - Self.day / 2, Self.now]), at: Self.start.advanced(by: AuditRetention.interval * 2))
        harness.propose(Self.due, at: Self.start.advanced(by: AuditRetention.interval * 2), nowMilliseconds: yearsAhead)
        #expect(harness.metrics.value(ahead) == 2, "a new run after a check with the clock back")
    }

    @Test func aContextTimeFarFromTheLeadersClockIsReplacedAndCounted() {
        let harness = Harness()
        let context = AuditContext(user: "a", role: .admin, source: nil, atMilliseconds: Self.now)
        #expect(harness.retention.stamped(context, nowMilliseconds: Self.now + 1_000) == context)
        #expect(harness.metrics.value("hotswap_audit_context_times_replaced_total") == 0)
        let stamped = harness.retention.stamped(context, nowMilliseconds: Self.now + Self.day)
        #expect(stamped.atMilliseconds == Self.now + Self.day)
        #expect(harness.metrics.value("hotswap_audit_context_times_replaced_total") == 1)
    }
}
