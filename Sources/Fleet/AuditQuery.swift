/// A search of the audit trail (`GET /api/v1/audit`): records matching every filter given, newest
/// first, at most `limit` of them, and below the index `before` when paging on. `next` of the page
/// is what `before` takes to get the following page; nil when there is none. Each page also says
/// where the trail begins now and how many records it has dropped, so a reader paging on sees a
/// gap: records dropped or compacted away between its pages.
public struct AuditQuery: Sendable, Equatable {
    public static let limitRange: ClosedRange<Int> = 1...1_000
    public static let limitDefault = 100

    public var user: String?
    public var action: AuditAction?
    public var target: String?
    /// Records stamped at or after this time.
    public var sinceMilliseconds: UInt64?
    /// Records stamped before this time.
    public var untilMilliseconds: UInt64?
    public var limit = AuditQuery.limitDefault
    /// Records with a lower index than this.
    public var before: UInt64?

    public init() {}

    /// One page of records, and the trail's state when it was read.
    public struct Page: Sendable, Equatable {
        public var records: [AuditRecord]
        public var next: UInt64?
        /// The index of the trail's first record, nil when empty: records below it are gone.
        public var oldest: UInt64?
        public var droppedLogins: UInt64
        public var droppedWrites: UInt64

        public init(records: [AuditRecord], next: UInt64?, oldest: UInt64?, droppedLogins: UInt64 = 0, droppedWrites: UInt64 = 0) {
            self.records = records
            self.next = next
            self.oldest = oldest
            self.droppedLogins = droppedLogins
            self.droppedWrites = droppedWrites
        }
    }

    public func matches(_ record: AuditRecord) -> Bool {
        if let before, record.index >= before { return false }
        if let user, record.user != user { return false }
        if let action, record.action != action { return false }
        if let target, record.target != target { return false }
        if let sinceMilliseconds, record.atMilliseconds < sinceMilliseconds { return false }
        if let untilMilliseconds, record.atMilliseconds >= untilMilliseconds { return false }
        return true
    }

    /// The page of `trail` this query asks for.
    public func page(of trail: AuditTrail) -> Page {
        let limit = min(max(limit, Self.limitRange.lowerBound), Self.limitRange.upperBound)
        var records: [AuditRecord] = []
        var hasMore = false
        trail.forEachNewestFirst { record in
            guard matches(record) else { return true }
            guard records.count < limit else {
                hasMore = true
                return false
            }
            records.append(record)
            return true
        }
        return Page(records: records, next: hasMore ? records.last?.index : nil, oldest: trail.first?.index,
                    droppedLogins: trail.droppedLogins, droppedWrites: trail.droppedWrites)
    }
}
