import Fleet
import Testing

/// Searching the trail: every filter narrows, records come newest first, and paging by `before`
/// walks every match exactly once.
struct AuditQueryTests {
    /// Ten records: users alternate alice/bob, actions user.add/auth.login, targets t0...t4, at 1,000 ms apart.
    static func trail() -> AuditTrail { state().audit }

    static func state() -> FleetState {
        var state = FleetState()
        for index in 1...10 as ClosedRange<UInt64> {
            let context = AuditContext(user: index % 2 == 0 ? "alice" : "bob", role: .admin, source: "10.0.0.1",
                                       atMilliseconds: index * 1_000)
            let command: FleetCommand = index % 2 == 0 ? .unlockUser(name: "t\(index % 5)") : .recordLoginSuccess(name: "t\(index % 5)")
            state.apply(.audited(context, command), at: index)
        }
        return state
    }

    @Test func filtersNarrowAndRecordsComeNewestFirst() {
        var query = AuditQuery()
        #expect(query.page(of: Self.trail()).records.map(\.index) == Array((1...10).reversed()))
        query.user = "alice"
        #expect(query.page(of: Self.trail()).records.map(\.index) == [10, 8, 6, 4, 2])
        query.action = .userUnlock
        query.target = "t3"
        #expect(query.page(of: Self.trail()).records.map(\.index) == [8])
        query = AuditQuery()
        query.sinceMilliseconds = 3_000
        query.untilMilliseconds = 6_000
        #expect(query.page(of: Self.trail()).records.map(\.index) == [5, 4, 3])
        query.action = .authLogin
        #expect(query.page(of: Self.trail()).records.map(\.index) == [5, 3])
        query.user = "nobody"
        #expect(query.page(of: Self.trail()) == AuditQuery.Page(records: [], next: nil, oldest: 1))
        #expect(query.page(of: AuditTrail()) == AuditQuery.Page(records: [], next: nil, oldest: nil))
    }

    @Test func pagingWalksEveryMatchOnce() {
        var query = AuditQuery()
        query.limit = 3
        query.user = "bob"
        var seen: [UInt64] = []
        var pages = 0
        while true {
            let page = query.page(of: Self.trail())
            seen += page.records.map(\.index)
            pages += 1
            guard let next = page.next else { break }
            query.before = next
        }
        #expect(seen == [9, 7, 5, 3, 1])
        #expect(pages == 2)
    }

    @Test func aPageThatEndsExactlyAtTheLastMatchHasNoNext() {
        var query = AuditQuery()
        query.limit = 5
        query.user = "alice"
        #expect(query.page(of: Self.trail()).next == nil)
        query.limit = 4
        #expect(query.page(of: Self.trail()).next == 4)
    }

    @Test func recordsArrivingAndCompactedBetweenPagesKeepTheCursorAndShowTheGap() {
        var state = Self.state()
        var query = AuditQuery()
        query.limit = 3
        let first = query.page(of: state.audit)
        #expect(first.records.map(\.index) == [10, 9, 8])
        #expect(first.next == 8)
        #expect(first.oldest == 1)
        // Between pages: new records arrive, and compaction drops records 1 to 5 (stamped before 6 s).
        for index in 11...13 as ClosedRange<UInt64> {
            state.apply(.audited(AuditContext(user: "carol", role: .admin, source: nil, atMilliseconds: index * 1_000),
                                 .unlockUser(name: "t")), at: index)
        }
        state.apply(.compactAudit(beforeMilliseconds: 6_000), at: 14)
        query.before = first.next
        let second = query.page(of: state.audit)
        #expect(second.records.map(\.index) == [7, 6], "the cursor stays below the first page, the new records above it")
        #expect(second.next == nil)
        #expect(second.oldest == 6, "records below 6 are gone: a reader paging on sees the gap")
        query.before = 5
        #expect(query.page(of: state.audit) == AuditQuery.Page(records: [], next: nil, oldest: 6))
    }
}
