/// A search of the audit trail (`GET /api/v1/audit`): records matching every filter given, newest
/// first, at most `limit` of them, and below the index `before` when paging on. `next` of the page
/// is what `before` takes to get the following page; nil when there is none.
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

    /// One page of records.
    public struct Page: Sendable, Equatable {
        public var records: [AuditRecord]
        public var next: UInt64?

        public init(records: [AuditRecord], next: UInt64?) {
            self.records = records
            self.next = next
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
        return Page(records: records, next: hasMore ? records.last?.index : nil)
    }
}
