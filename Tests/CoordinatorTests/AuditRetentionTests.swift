@testable import Coordinator
import Fleet
import Observability
import Testing

/// When the leader proposes dropping audit records: only once the trail's first record is older
/// than the retention, with its wall clock less the retention as the cut-off.
struct AuditRetentionTests {
    static let day: UInt64 = 86_400_000

    static func record(at milliseconds: UInt64) -> AuditRecord {
        AuditRecord(index: 1, atMilliseconds: milliseconds, user: "a", role: .admin, source: "-", action: .userAdd, target: "b",
                    outcome: "applied")
    }

    @Test func aCompactionIsDueOnlyOnceTheFirstRecordIsPastTheRetention() {
        let (sink, _) = LogSink.capturing()
        let logger = Logger(component: "test", sink: sink)
        let retention = AuditRetention(retention: .seconds(86_400), logger: logger, metrics: MetricsRegistry())
        let now = 100 * Self.day
        #expect(retention.cutOff(oldest: nil, nowMilliseconds: now) == nil)
        #expect(retention.cutOff(oldest: Self.record(at: now - Self.day), nowMilliseconds: now) == nil)
        #expect(retention.cutOff(oldest: Self.record(at: now - Self.day - 1), nowMilliseconds: now) == now - Self.day)
        #expect(retention.cutOff(oldest: Self.record(at: 0), nowMilliseconds: Self.day) == nil, "a clock before the retention")
    }
}
