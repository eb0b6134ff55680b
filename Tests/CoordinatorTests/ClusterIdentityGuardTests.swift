import Cluster
@testable import Coordinator
import Locking
import Observability
import Testing

/// The peer port's cluster-identity check as a connection meets it: a refusal is logged and
/// counted, a joining member adopts the first identity a member of its --initial-cluster shows it,
/// once, and records it; another peer's identity is refused, not adopted.
struct ClusterIdentityGuardTests {
    final class Recorder: Sendable {
        let recorded = Locked<[ClusterIdentity]>([])
    }

    static func make(_ identity: ClusterIdentity, recorder: Recorder = Recorder()) -> (ClusterIdentityGuard, LogCapture, MetricsRegistry) {
        let (sink, capture) = LogSink.capturing()
        let metrics = MetricsRegistry()
        let guarded = ClusterIdentityGuard(identity: identity, teachers: ["c1", "c2"], logger: Logger(component: "test", sink: sink),
                                           metrics: metrics) { adopted in
            recorder.recorded.withLock { $0.append(adopted) }
        }
        return (guarded, capture, metrics)
    }

    @Test func anotherClustersPeerIsRefusedLoggedAndCounted() {
        let (guarded, capture, metrics) = Self.make(.id(1))
        #expect(guarded.admits(.id(1), peer: "c2"))
        #expect(!guarded.admits(.id(2), peer: "c3"))
        #expect(!guarded.admits(.none, peer: "c3"))
        #expect(!guarded.admits(.id(2), peer: "c3"), "a redial of the same refused peer")
        #expect(metrics.exposition().contains("hotswap_peer_cluster_refusals_total 3"), "\(metrics.exposition())")
        #expect(capture.lines.filter { $0.contains("peer refused") }.count == 2, "each peer and identity is logged once: \(capture.lines)")
        let refusal = capture.lines.first { $0.contains("peer refused: it belongs to another cluster") }
        #expect(refusal?.contains("peer=c3") == true && refusal?.contains("peerCluster=0000000000000002") == true
            && refusal?.contains("cluster=0000000000000001") == true, "\(capture.lines)")
    }

    @Test func aJoiningMemberAdoptsTheFirstIdentityOnceAndRecordsIt() {
        let recorder = Recorder()
        let (guarded, capture, _) = Self.make(.joining, recorder: recorder)
        #expect(guarded.admits(.joining, peer: "c5"), "another joining member is admitted and teaches nothing")
        #expect(guarded.identity == .joining)
        #expect(!guarded.admits(.id(7), peer: "x1"), "a peer outside --initial-cluster teaches nothing and is refused")
        #expect(guarded.identity == .joining)
        #expect(guarded.admits(.id(9), peer: "c1"))
        #expect(guarded.identity == .id(9) && guarded.advertised == .joining)
        #expect(!guarded.admits(.id(8), peer: "x1"), "once adopted, another cluster is refused")
        #expect(recorder.recorded.withLock { $0 } == [.id(9)])
        #expect(capture.lines.contains { $0.contains("cluster identity learned from a peer") && $0.contains("peer=c1") })
    }
}
