/// The audit records of the fleet state, at most `recordsMaximum`, in two shares that fill and
/// drop apart (Docs/AUDIT.md): logins (`auth.login`, which anyone can send) at most
/// `loginRecordsMaximum`, every other record (writes, which need a token) the rest. When a share
/// is full its oldest record is dropped for each new one of its kind and counted in
/// `droppedLogins` or `droppedWrites`, so a flood of logins never drops a write's record. Which
/// share a record joins depends only on its action, so every replica, and a state restored from a
/// snapshot, holds and drops the same records.
public struct AuditTrail: Sendable {
    public static let recordsMaximum = 65_536
    public static let loginRecordsMaximum = 16_384
    public static let writeRecordsMaximum = recordsMaximum - loginRecordsMaximum

    private var logins = AuditRecordChunks()
    private var writes = AuditRecordChunks()
    /// Login records dropped because their share was full (not those compaction removed).
    public private(set) var droppedLogins: UInt64 = 0
    /// Other records dropped because their share was full (not those compaction removed).
    public private(set) var droppedWrites: UInt64 = 0

    public init() {}

    /// `records` in index order, at most each share's maximum (as a snapshot holds them).
    init(records: [AuditRecord], droppedLogins: UInt64, droppedWrites: UInt64) {
        self.droppedLogins = droppedLogins
        self.droppedWrites = droppedWrites
        for record in records { append(record) }
    }

    /// Whether `action`'s records go to the logins' share.
    public static func isLogin(_ action: AuditAction) -> Bool { action == .authLogin }

    public var count: Int { logins.count + writes.count }

    public var isEmpty: Bool { count == 0 }

    /// The first record, which has the lowest index.
    public var first: AuditRecord? { Self.earlier(logins.first, writes.first) }

    /// The newest record, which has the highest index.
    public var newest: AuditRecord? {
        guard let login = logins.last, let write = writes.last else { return logins.last ?? writes.last }
        return login.index > write.index ? login : write
    }

    /// The first record of each share that has one: what compaction looks at.
    var shareFirsts: [AuditRecord] { [logins.first, writes.first].compactMap { $0 } }

    /// Every record in index order.
    public var records: [AuditRecord] {
        var all: [AuditRecord] = []
        all.reserveCapacity(count)
        Self.merge(logins.oldestFirst, writes.oldestFirst, newestFirst: false) { record in
            all.append(record)
            return true
        }
        return all
    }

    /// Calls `body` with each record from the newest to the oldest while it returns true.
    public func forEachNewestFirst(_ body: (AuditRecord) -> Bool) {
        Self.merge(logins.newestFirst, writes.newestFirst, newestFirst: true, body)
    }

    mutating func append(_ record: AuditRecord) {
        if Self.isLogin(record.action) {
            if logins.append(record, maximum: Self.loginRecordsMaximum) { droppedLogins = Self.incremented(droppedLogins) }
        } else if writes.append(record, maximum: Self.writeRecordsMaximum) {
            droppedWrites = Self.incremented(droppedWrites)
        }
    }

    /// Removes every record stamped before `beforeMilliseconds`; how many it removed.
    mutating func compact(beforeMilliseconds: UInt64) -> Int {
        logins.compact(beforeMilliseconds: beforeMilliseconds) + writes.compact(beforeMilliseconds: beforeMilliseconds)
    }

    /// Calls `body` with the records of two sequences in index order (each already in that order)
    /// merged, from the newest when `newestFirst`, while it returns true.
    private static func merge<Records: Sequence<AuditRecord>>(_ one: Records, _ other: Records, newestFirst: Bool,
                                                               _ body: (AuditRecord) -> Bool) {
        var ones = one.makeIterator()
        var others = other.makeIterator()
        var nextOne = ones.next()
        var nextOther = others.next()
        while true {
            let takeOne = switch (nextOne, nextOther) {
            case let (one?, other?): (one.index > other.index) == newestFirst
            case (.some, nil): true
            case (nil, _): false
            }
            guard let record = takeOne ? nextOne : nextOther else { return }
            if takeOne { nextOne = ones.next() } else { nextOther = others.next() }
            guard body(record) else { return }
        }
    }

    private static func earlier(_ one: AuditRecord?, _ other: AuditRecord?) -> AuditRecord? {
        guard let one, let other else { return one ?? other }
        return one.index < other.index ? one : other
    }

    private static func incremented(_ count: UInt64) -> UInt64 { count == .max ? .max : count + 1 }
}

extension AuditTrail: Equatable {
    /// The same records and drop counts, however they are chunked.
    public static func == (lhs: AuditTrail, rhs: AuditTrail) -> Bool {
        lhs.droppedLogins == rhs.droppedLogins && lhs.droppedWrites == rhs.droppedWrites
            && lhs.logins.count == rhs.logins.count && lhs.writes.count == rhs.writes.count && lhs.records == rhs.records
    }
}

/// One share of the trail in index order, kept in chunks of at most `chunkRecordsMaximum`, so an
/// append copies one chunk, not the share, while a published `ClusterView` still shares the storage.
/// Chunks are slices: dropping the oldest record narrows the first one and copies nothing.
struct AuditRecordChunks: Sendable {
    static let chunkRecordsMaximum = 1_024

    private var chunks: [ArraySlice<AuditRecord>] = []
    private(set) var count = 0

    var first: AuditRecord? { chunks.first?.first }
    var last: AuditRecord? { chunks.last?.last }
    var oldestFirst: FlattenSequence<[ArraySlice<AuditRecord>]> { chunks.joined() }
    var newestFirst: some Sequence<AuditRecord> { chunks.reversed().lazy.flatMap { $0.reversed() } }

    /// Appends `record`, first dropping the oldest when `maximum` are held; whether it dropped one.
    mutating func append(_ record: AuditRecord, maximum: Int) -> Bool {
        let drops = count >= maximum
        if drops {
            chunks[0] = chunks[0].dropFirst()
            if chunks[0].isEmpty { chunks.removeFirst() }
            count -= 1
        }
        if chunks.last.map({ $0.count >= Self.chunkRecordsMaximum }) ?? true { chunks.append([]) }
        chunks[chunks.count - 1].append(record)
        count += 1
        return drops
    }

    /// Removes every record stamped before `beforeMilliseconds`; how many it removed.
    mutating func compact(beforeMilliseconds: UInt64) -> Int {
        let old = chunks.reduce(0) { sum, chunk in sum + chunk.count(where: { $0.atMilliseconds < beforeMilliseconds }) }
        guard old > 0 else { return 0 }
        let kept = oldestFirst.filter { $0.atMilliseconds >= beforeMilliseconds }
        chunks = stride(from: 0, to: kept.count, by: Self.chunkRecordsMaximum).map { start in
            Array(kept[start..<min(start + Self.chunkRecordsMaximum, kept.count)])[...]
        }
        count = kept.count
        return old
    }
}
