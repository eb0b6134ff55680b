import Fleet
import Gateway
import Primitives
import Telemetry
import Testing

/// The node list from fragments kept between answers (`NodeListCache`): after every change a
/// listing can see — a report, an inventory record changed, a node added or removed, a status
/// or an age moved on with the time — its bytes are what a fresh rendering of the same
/// snapshots gives, and a node is rendered again only when its record or newest sample changed.
struct NodeListCacheTests {
    static let record = NodeJSONTests.reported.record

    static func sample(at milliseconds: UInt64, cpu: UInt16 = 1_234) -> Sample {
        var sample = NodeJSONTests.sample
        sample.timestampMilliseconds = milliseconds
        sample.hostCPUBusyBasisPoints = cpu
        return sample
    }

    static func node(_ id: String, record: NodeRecord? = record, status: NodeStatus = .live, latest: Sample? = sample(at: 1_000),
                     age: UInt64? = 40) -> NodeSnapshot {
        NodeSnapshot(id: id, record: record.map { NodeRecord(id: id, environment: $0.environment, labels: $0.labels,
                                                             moduleVersions: $0.moduleVersions) },
                     status: status, latest: latest, latestAgeMilliseconds: latest == nil ? nil : age)
    }

    /// Lists `snapshots` through `listing`, checks the bytes against a fresh rendering and
    /// against the previous answer (`changed`: they must differ, so a stale one cannot pass),
    /// and returns the answer.
    @discardableResult
    static func list(_ snapshots: [NodeSnapshot], with listing: inout NodeListCache, after previous: String? = nil,
                     rendering expected: Int, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let revision = listing.revision
        let answer = String(decoding: NodeJSON.list(listing.entries(for: snapshots), leader: "c1", term: 3), as: UTF8.self)
        #expect(answer == NodeJSON.list(snapshots, leader: "c1", term: 3), "as fresh as a new rendering",
                sourceLocation: sourceLocation)
        if let previous { #expect(answer != previous, "the change shows", sourceLocation: sourceLocation) }
        #expect(listing.revision - revision == expected, "nodes rendered (or forgotten)", sourceLocation: sourceLocation)
        #expect(listing.count == snapshots.count, "holds the listed nodes only", sourceLocation: sourceLocation)
        return answer
    }

    @Test func anUnchangedListingRendersNothingAndIsTheSameBytes() {
        var listing = NodeListCache()
        let nodes = [Self.node("web-1"), Self.node("web-2", record: nil, status: .down, latest: nil)]
        let first = Self.list(nodes, with: &listing, rendering: 2)
        #expect(Self.list(nodes, with: &listing, rendering: 0) == first)
    }

    @Test func aReportShowsItsSampleAtOnce() {
        var listing = NodeListCache()
        let before = Self.list([Self.node("web-1"), Self.node("web-2")], with: &listing, rendering: 2)
        let after = Self.list([Self.node("web-1", latest: Self.sample(at: 2_000, cpu: 9_999)), Self.node("web-2")],
                              with: &listing, after: before, rendering: 1)
        #expect(after.contains("\"timestampMilliseconds\":2000,\"hostCPUPercent\":99.99"))
        // A sample equal in every field but one still counts as new.
        Self.list([Self.node("web-1", latest: Self.sample(at: 2_000, cpu: 9_998)), Self.node("web-2")],
                  with: &listing, after: after, rendering: 1)
    }

    @Test func aFirstReportAndAFirstRecordShowAtOnce() {
        var listing = NodeListCache()
        let bare = Self.list([Self.node("web-1", record: nil, latest: nil)], with: &listing, rendering: 1)
        let reported = Self.list([Self.node("web-1", record: nil)], with: &listing, after: bare, rendering: 1)
        Self.list([Self.node("web-1")], with: &listing, after: reported, rendering: 1)
    }

    @Test func aChangedInventoryRecordShowsAtOnce() throws {
        var listing = NodeListCache()
        let before = Self.list([Self.node("web-1")], with: &listing, rendering: 1)
        var relabelled = try #require(Self.record)
        relabelled.labels["zone"] = "b"
        let after = Self.list([Self.node("web-1", record: relabelled)], with: &listing, after: before, rendering: 1)
        #expect(after.contains("\"labels\":{\"rack\":\"r1\",\"zone\":\"b\"}"))
        var moved = relabelled
        moved.environment = "staging"
        Self.list([Self.node("web-1", record: moved)], with: &listing, after: after, rendering: 1)
    }

    @Test func statusAndAgeAreWrittenFreshWithoutRendering() {
        var listing = NodeListCache()
        let live = Self.list([Self.node("web-1")], with: &listing, rendering: 1)
        let older = Self.list([Self.node("web-1", age: 3_500)], with: &listing, after: live, rendering: 0)
        #expect(older.contains("\"ageMilliseconds\":3500,"))
        let suspect = Self.list([Self.node("web-1", status: .suspect, age: 3_500)], with: &listing, after: older, rendering: 0)
        #expect(suspect.contains("\"status\":\"suspect\""))
        Self.list([Self.node("web-1", status: .down, age: 30_000)], with: &listing, after: suspect, rendering: 0)
    }

    @Test func nodesAddedAreListedAndNodesRemovedAreForgotten() {
        var listing = NodeListCache()
        let two = Self.list([Self.node("web-1"), Self.node("web-2")], with: &listing, rendering: 2)
        let three = Self.list([Self.node("web-1"), Self.node("web-2"), Self.node("web-3")], with: &listing, after: two,
                              rendering: 1)
        // web-2 goes: its fragments are dropped with the listing that no longer shows it.
        let removed = Self.list([Self.node("web-1"), Self.node("web-3")], with: &listing, after: three, rendering: 1)
        #expect(!removed.contains("web-2"))
        // One node replaced by another in the same listing: one rendered, one forgotten.
        Self.list([Self.node("web-1"), Self.node("web-4")], with: &listing, after: removed, rendering: 2)
        // A node that comes back after it was forgotten is rendered anew.
        Self.list([Self.node("web-1"), Self.node("web-3")], with: &listing, rendering: 2)
        Self.list([], with: &listing, rendering: 1)
    }

    @Test func theIdsAreSortedAgainOnlyWhenTheInventoryOrTheWindowedNodesChange() throws {
        var listing = NodeListCache()
        var tables = GatewayTables()
        let at = { (seconds: Int64) in MonotonicInstant(nanoseconds: 0).advanced(by: .seconds(seconds)) }
        var inventory = ["b": NodeRecord(id: "b", environment: "prod")]
        let ids = { (expected: [String], sorted: Bool, sourceLocation: SourceLocation) in
            let revision = listing.revision
            #expect(listing.ids(inventory: inventory, tables: tables) == expected, sourceLocation: sourceLocation)
            #expect((listing.revision != revision) == sorted, "sorted again", sourceLocation: sourceLocation)
        }
        ids(["b"], true, #_sourceLocation)
        ids(["b"], false, #_sourceLocation)
        var admitted = tables.admit("a", at: at(1))
        #expect(admitted)
        ids(["a", "b"], true, #_sourceLocation)
        admitted = tables.admit("a", at: at(2))
        #expect(admitted, "a contact only")
        ids(["a", "b"], false, #_sourceLocation)
        inventory["c"] = NodeRecord(id: "c", environment: "prod")
        ids(["a", "b", "c"], true, #_sourceLocation)
        inventory["c"]?.labels["zone"] = "a"
        ids(["a", "b", "c"], true, #_sourceLocation)
        let removed = tables.remove("a")
        #expect(removed != nil)
        ids(["b", "c"], true, #_sourceLocation)
        admitted = tables.admit("d", at: at(3))
        #expect(admitted)
        ids(["b", "c", "d"], true, #_sourceLocation)
        let evicted = tables.evictExpired(now: at(3).advanced(by: tables.limits.retention)) { _ in false }
        #expect(Set(evicted.keys) == ["d"])
        ids(["b", "c"], true, #_sourceLocation)
        inventory["b"] = nil
        ids(["c"], true, #_sourceLocation)
    }
}
