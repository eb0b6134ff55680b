import Cluster
import Fleet
import Testing

/// The environment list is rendered once per list of records, and any change to them, however
/// small, is answered at once with the fresh rendering.
struct EnvironmentListCacheTests {
    @Test func anUnchangedListIsRenderedOnceAndAnyChangeAtOnce() {
        var cache = EnvironmentListCache()
        var records = EnvironmentRecord.defaults
        let fresh = { (records: [EnvironmentRecord]) in Array(EnvironmentJSON.list(records).utf8) }
        #expect(cache.body(for: records) == fresh(records))
        #expect(cache.body(for: records) == fresh(records) && cache.renderings == 1)
        records[0].approvalTimeoutSeconds += 1
        #expect(cache.body(for: records) == fresh(records) && cache.renderings == 2)
        records[1].requiresApproval.toggle()
        #expect(cache.body(for: records) == fresh(records) && cache.renderings == 3)
        records.removeLast()
        #expect(cache.body(for: records) == fresh(records) && cache.renderings == 4)
        #expect(cache.body(for: []) == Array("{\"environments\":[]}".utf8) && cache.renderings == 5)
        #expect(cache.body(for: EnvironmentRecord.defaults) == fresh(EnvironmentRecord.defaults) && cache.renderings == 6)
    }
}
