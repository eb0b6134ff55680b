/// The audit records of the fleet state, in index order, at most `recordsMaximum`: when full, the
/// oldest is dropped for each new one and counted in `droppedRecords`. Kept in chunks of at most
/// `chunkRecordsMaximum`, so an append copies one chunk, not the whole trail, while a published
/// `ClusterView` still shares the storage.
public struct AuditTrail: Sendable {
    public static let recordsMaximum = 65_536
    static let chunkRecordsMaximum = 1_024

    private var chunks: [[AuditRecord]] = []
    public private(set) var count = 0
    /// Records dropped because the trail was full (not those compaction removed).
    public private(set) var droppedRecords: UInt64 = 0

    public init() {}

    /// `records` in index order, at most `recordsMaximum` (as a snapshot holds them).
    init(records: [AuditRecord], droppedRecords: UInt64) {
        self.droppedRecords = droppedRecords
        for record in records { append(record) }
    }

    public var isEmpty: Bool { count == 0 }

    /// The first record, which has the lowest index.
    public var first: AuditRecord? { chunks.first?.first }

    /// Every record in index order.
    public var records: [AuditRecord] { chunks.flatMap { $0 } }

    /// Calls `body` with each record from the newest to the oldest while it returns true.
    public func forEachNewestFirst(_ body: (AuditRecord) -> Bool) {
        for chunk in chunks.reversed() {
            for record in chunk.reversed() where !body(record) { return }
        }
    }

    mutating func append(_ record: AuditRecord) {
        if count == Self.recordsMaximum {
            chunks[0].removeFirst()
            if chunks[0].isEmpty { chunks.removeFirst() }
            count -= 1
            droppedRecords = droppedRecords == .max ? .max : droppedRecords + 1
        }
        if chunks.last.map({ $0.count >= Self.chunkRecordsMaximum }) ?? true { chunks.append([]) }
        chunks[chunks.count - 1].append(record)
        count += 1
    }

    /// Removes every record stamped before `beforeMilliseconds`; how many it removed.
    mutating func compact(beforeMilliseconds: UInt64) -> Int {
        let old = chunks.reduce(0) { sum, chunk in sum + chunk.count(where: { $0.atMilliseconds < beforeMilliseconds }) }
        guard old > 0 else { return 0 }
        self = AuditTrail(records: records.filter { $0.atMilliseconds >= beforeMilliseconds }, droppedRecords: droppedRecords)
        return old
    }
}

extension AuditTrail: Equatable {
    /// The same records and drop count, however they are chunked.
    public static func == (lhs: AuditTrail, rhs: AuditTrail) -> Bool {
        lhs.count == rhs.count && lhs.droppedRecords == rhs.droppedRecords && lhs.records == rhs.records
    }
}
