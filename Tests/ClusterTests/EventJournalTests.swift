import Cluster
import Fleet
import Testing

/// The journal of recent events and the rule a stream resumes by (Docs/EVENTS.md): a known id
/// goes on after it, one not applied yet waits for it a bounded time and is then reset unless
/// it applied, one older than what is held is reset; a viewer's filter leaves out what only
/// admins may read;
/// the oldest events go past the count or byte bound; a snapshot leaves nothing before it; a
/// stream's backlog is measured in events and bytes.
struct EventJournalTests {
    static func entry(_ index: UInt64, _ name: String = "env", kind: FleetEvent.Kind = .environment) -> EventJournal.Entry {
        let change: FleetEvent.Change = switch kind {
        case .environment: .environmentDeleted(name: name)
        case .node: .nodeDeleted(id: name)
        case .user: .userDeleted(name: name)
        case .member: .memberRemoved(name: name)
        case .deployment, .approval:
            .deployment(FleetEvent.DeploymentSummary(
                DeploymentRecord(id: name, module: "web", version: "1.0.0", environment: "qa", strategy: .canary, createdBy: "alice",
                                 createdAtMilliseconds: 0, waves: [], nodes: []),
                change: kind == .approval ? .approval(.approved) : .created))
        }
        return EventJournal.Entry(FleetEvent(index: index, change: change))
    }

    static func indexes(_ read: EventJournal.Read) -> [UInt64] {
        guard case let .entries(entries, _) = read else { return [] }
        return entries.map(\.index)
    }

    static func cursor(_ read: EventJournal.Read) -> UInt64? {
        guard case let .entries(_, cursor) = read else { return nil }
        return cursor
    }

    @Test func aStreamResumesAfterAKnownIdWaitsForANewerOneAndResetsAnOlderOne() {
        var journal = EventJournal(appliedIndex: 10)
        #expect(journal.coveredFrom == 11)
        journal.record([Self.entry(12), Self.entry(15)], through: 16)
        #expect(journal.resume(lastEventID: nil) == .after(16))
        #expect(journal.resume(lastEventID: 10) == .after(10))
        #expect(journal.resume(lastEventID: 12) == .after(12))
        #expect(journal.resume(lastEventID: 9) == .reset(after: 10))
        #expect(journal.resume(lastEventID: 0) == .reset(after: 10))
        // Seen on a newer leader, not applied here yet: waits, then goes on after it.
        #expect(journal.resume(lastEventID: 20) == .ahead(20))
        #expect(journal.settle(waitingAt: 20) == .reset(after: 16), "not applied when the wait ends")
        #expect(Self.indexes(journal.read(after: 20, filter: .init(), maximumBytes: 1 << 20)) == [])
        journal.record([Self.entry(19), Self.entry(21)], through: 22)
        #expect(Self.indexes(journal.read(after: 20, filter: .init(), maximumBytes: 1 << 20)) == [21])
        #expect(Self.indexes(journal.read(after: 10, filter: .init(), maximumBytes: 1 << 20)) == [12, 15, 19, 21])
        #expect(Self.indexes(journal.read(after: 12, filter: .init(), maximumBytes: 1 << 20)) == [15, 19, 21])
        #expect(journal.read(after: 9, filter: .init(), maximumBytes: 1 << 20) == .behind(after: 10))
        #expect(journal.settle(waitingAt: 20) == .after(20), "applied by the end of the wait")
        // A made-up id, or one of a cluster this coordinator's state was restored behind: bounded too.
        #expect(journal.resume(lastEventID: .max) == .ahead(.max))
        #expect(journal.settle(waitingAt: .max) == .reset(after: 22))
    }

    @Test func aNewJournalHoldsEverythingFromTheStart() {
        var journal = EventJournal(appliedIndex: 0)
        journal.record([Self.entry(1), Self.entry(3)], through: 3)
        #expect(journal.resume(lastEventID: 0) == .after(0))
        #expect(Self.indexes(journal.read(after: 0, filter: .init(), maximumBytes: 1 << 20)) == [1, 3])
    }

    @Test func theOldestEventsGoPastTheCountBoundAndCoverageMovesUp() {
        var journal = EventJournal(appliedIndex: 0, capacity: 3)
        for index in UInt64(1)...10 { journal.record([Self.entry(index)], through: index) }
        #expect(journal.count == 3)
        #expect(journal.held.map(\.index) == [8, 9, 10])
        #expect(journal.coveredFrom == 8)
        #expect(journal.resume(lastEventID: 7) == .after(7))
        #expect(journal.resume(lastEventID: 6) == .reset(after: 7))
        #expect(journal.read(after: 3, filter: .init(), maximumBytes: 1 << 20) == .behind(after: 7))
    }

    @Test func theOldestEventsGoPastTheByteBoundButTheNewestStays() {
        let size = Self.entry(1).frame.count
        var journal = EventJournal(appliedIndex: 0, bytesCapacity: size * 2)
        journal.record([Self.entry(1), Self.entry(2), Self.entry(3)], through: 3)
        #expect(journal.held.map(\.index) == [2, 3])
        var tiny = EventJournal(appliedIndex: 0, bytesCapacity: 1)
        tiny.record([Self.entry(1), Self.entry(2)], through: 2)
        #expect(tiny.held.map(\.index) == [2])
        #expect(tiny.coveredFrom == 2)
    }

    @Test func aReplayedIndexIsIgnoredAndTheAppliedIndexMovesWithoutEvents() {
        var journal = EventJournal(appliedIndex: 5)
        journal.record([Self.entry(3), Self.entry(6)], through: 7)
        journal.record([Self.entry(6)], through: 6)
        #expect(journal.held.map(\.index) == [6])
        #expect(journal.appliedIndex == 7)
        #expect(Self.cursor(journal.read(after: 6, filter: .init(), maximumBytes: 1 << 20)) == 7)
    }

    @Test func aSnapshotLeavesNothingBeforeIt() {
        var journal = EventJournal(appliedIndex: 0)
        journal.record([Self.entry(1), Self.entry(2)], through: 4)
        journal.restart(at: 50)
        #expect(journal.count == 0 && journal.coveredFrom == 51 && journal.appliedIndex == 50)
        #expect(journal.read(after: 2, filter: .init(), maximumBytes: 1 << 20) == .behind(after: 50))
        #expect(journal.resume(lastEventID: 4) == .reset(after: 50))
        #expect(journal.resume(lastEventID: 50) == .after(50))
    }

    @Test func aReadTakesItsKindsUpToTheByteBoundAndMovesPastTheRest() {
        var journal = EventJournal(appliedIndex: 0)
        journal.record([Self.entry(1, kind: .user), Self.entry(2, kind: .node), Self.entry(3, kind: .user),
                        Self.entry(4, kind: .member)], through: 6)
        let users = journal.read(after: 0, filter: .init(kinds: [.user]), maximumBytes: 1 << 20)
        #expect(Self.indexes(users) == [1, 3] && Self.cursor(users) == 6)
        let size = Self.entry(1).frame.count
        let first = journal.read(after: 0, filter: .init(), maximumBytes: size * 2)
        #expect(Self.indexes(first) == [1, 2] && Self.cursor(first) == 2)
        let one = journal.read(after: 2, filter: .init(), maximumBytes: 1)
        #expect(Self.indexes(one) == [3] && Self.cursor(one) == 3, "at least one entry, whatever the bound")
        let none = journal.read(after: 0, filter: .init(kinds: [.environment]), maximumBytes: 1 << 20)
        #expect(Self.indexes(none) == [] && Self.cursor(none) == 6)
    }

    @Test func aViewersFilterLeavesOutWhatOnlyAdminsMayRead() {
        var journal = EventJournal(appliedIndex: 0)
        let revoked = EventJournal.Entry(FleetEvent(index: 3, change: .nodeRevoked(NodeRevocation(node: "n1", revokedAtMilliseconds: 1))))
        journal.record([Self.entry(1, kind: .user), Self.entry(2, kind: .node), revoked, Self.entry(4)], through: 5)
        let viewer = EventJournal.Filter(kinds: nil, includesAdminOnly: false)
        let read = journal.read(after: 0, filter: viewer, maximumBytes: 1 << 20)
        #expect(Self.indexes(read) == [2, 4] && Self.cursor(read) == 5)
        #expect(Self.indexes(journal.read(after: 0, filter: EventJournal.Filter(), maximumBytes: 1 << 20)) == [1, 2, 3, 4])
        let viewerNodes = EventJournal.Filter(kinds: [.node], includesAdminOnly: false)
        #expect(Self.indexes(journal.read(after: 0, filter: viewerNodes, maximumBytes: 1 << 20)) == [2])
        #expect(EventJournal.Filter().isEverything && !viewer.isEverything && !EventJournal.Filter(kinds: [.node]).isEverything)
    }

    @Test func theBacklogIsCountedInEventsAndBytes() {
        var journal = EventJournal(appliedIndex: 0)
        journal.record((UInt64(1)...10).map { Self.entry($0) }, through: 10)
        let waiting = journal.held.filter { $0.index > 5 }.reduce(0) { $0 + $1.frame.count }
        #expect(!journal.isBacklogOver(after: 10, maximumEvents: 0, maximumBytes: 0))
        #expect(!journal.isBacklogOver(after: 5, maximumEvents: 5, maximumBytes: waiting))
        #expect(journal.isBacklogOver(after: 4, maximumEvents: 5, maximumBytes: 1 << 20))
        #expect(journal.isBacklogOver(after: 5, maximumEvents: 100, maximumBytes: waiting - 1))
        journal.restart(at: 20)
        #expect(journal.isBacklogOver(after: 10, maximumEvents: 100, maximumBytes: 1 << 20), "behind a snapshot")
    }

    @Test func aLongRunKeepsTheBoundsAndItsOrder() {
        var journal = EventJournal(appliedIndex: 0, capacity: 7)
        for index in UInt64(1)...1_000 where index % 3 != 0 { journal.record([Self.entry(index)], through: index) }
        #expect(journal.count == 7)
        let held = journal.held.map(\.index)
        #expect(held == held.sorted() && held.last == 1_000)
        #expect((held[0] - 1)...held[0] ~= journal.coveredFrom, "just after the last event dropped")
    }
}
