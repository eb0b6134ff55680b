import Fleet
import Gateway
import Telemetry
import Testing

/// The leader's listing in two steps (`NodeListCache.kept` under its lock, `entries(of:)` after
/// it, `store` under it again): the same bytes as a fresh rendering, each changed node rendered
/// once, and fragments stored out of order never answered stale.
struct NodeListCacheTwoStepTests {
    /// One listing of `snapshots` the way the leader's gateway does it; returns the answer and
    /// how many nodes were rendered.
    static func list(_ snapshots: [NodeSnapshot], with cache: inout NodeListCache) -> (answer: String, rendered: Int) {
        let listed = snapshots.map { node in
            NodeListCache.Listed(id: node.id, kept: cache.kept(id: node.id, record: node.record, latest: node.latest),
                                 record: node.record, latest: node.latest, status: node.status,
                                 latestAgeMilliseconds: node.latestAgeMilliseconds)
        }
        cache.forgetAllBut(snapshots.map(\.id))
        let (entries, rendered) = NodeListCache.entries(of: listed)
        for node in rendered { cache.store(node.fragments, for: node.id) }
        return (String(decoding: NodeJSON.list(entries, leader: "c1", term: 3), as: UTF8.self), rendered.count)
    }

    @Test func changedNodesAreRenderedOnceAndEveryAnswerIsFresh() {
        var cache = NodeListCache()
        let first = [NodeListCacheTests.node("web-1"), NodeListCacheTests.node("web-2", record: nil, status: .down, latest: nil)]
        let one = Self.list(first, with: &cache)
        #expect(one.answer == NodeJSON.list(first, leader: "c1", term: 3))
        #expect(one.rendered == 2)
        let again = Self.list(first, with: &cache)
        #expect(again.answer == one.answer)
        #expect(again.rendered == 0)
        let reported = [NodeListCacheTests.node("web-1", latest: NodeListCacheTests.sample(at: 2_000, cpu: 9_999)), first[1]]
        let after = Self.list(reported, with: &cache)
        #expect(after.answer == NodeJSON.list(reported, leader: "c1", term: 3))
        #expect(after.answer != one.answer)
        #expect(after.rendered == 1)
        #expect(cache.count == 2)
    }

    /// Two answers rendered concurrently may store in either order: fragments of an older
    /// sample stored last are not used for the newer one, which is rendered again.
    @Test func olderFragmentsStoredLastAreNotAnsweredForANewerSample() {
        var cache = NodeListCache()
        let older = NodeListCacheTests.node("web-1", latest: NodeListCacheTests.sample(at: 1_000))
        let newer = NodeListCacheTests.node("web-1", latest: NodeListCacheTests.sample(at: 2_000))
        Self.list([newer], with: &cache)
        cache.store(NodeFragments(id: older.id, record: older.record, latest: older.latest), for: older.id)
        let answer = Self.list([newer], with: &cache)
        #expect(answer.answer == NodeJSON.list([newer], leader: "c1", term: 3))
        #expect(answer.rendered == 1)
        #expect(cache.kept(id: newer.id, record: newer.record, latest: newer.latest) != nil)
    }
}
