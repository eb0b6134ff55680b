import Fleet

/// The recent events one coordinator holds for `GET /api/v1/events` (Docs/EVENTS.md), filled as
/// it applies the log (its replay at start included), and the rule a stream resumes by. It
/// holds at most `capacity` events and `bytesCapacity` bytes of their text, dropping the oldest,
/// and knows `coveredFrom`: it holds every event whose index is from there up to `appliedIndex`.
/// Ids are Raft indexes, the same on every coordinator, so a client may resume on any of them.
public struct EventJournal: Sendable {
    /// One event as streamed: its index, kind and text.
    public struct Entry: Sendable, Equatable {
        public let index: UInt64
        public let kind: FleetEvent.Kind
        /// Left out of the streams of callers who are not admins.
        public let isAdminOnly: Bool
        public let frame: [UInt8]
        /// The bytes of every frame recorded up to and including this one: backlogs in bytes.
        fileprivate(set) var bytesThrough: UInt64 = 0

        public init(_ event: FleetEvent) {
            index = event.index
            kind = event.kind
            isAdminOnly = event.isAdminOnly
            frame = EventStreamText.frame(event)
        }
    }

    /// Which entries a stream takes: those of its kinds (nil: all), and the admin-only ones if
    /// its caller is an admin.
    public struct Filter: Sendable, Equatable {
        public let kinds: Set<FleetEvent.Kind>?
        public let includesAdminOnly: Bool

        public init(kinds: Set<FleetEvent.Kind>? = nil, includesAdminOnly: Bool = true) {
            self.kinds = kinds
            self.includesAdminOnly = includesAdminOnly
        }

        /// Takes every entry: the stream's position is always that of its last event.
        public var isEverything: Bool { kinds == nil && includesAdminOnly }

        public func takes(_ entry: Entry) -> Bool {
            (includesAdminOnly || !entry.isAdminOnly) && (kinds?.contains(entry.kind) ?? true)
        }
    }

    /// Where a stream starts.
    public enum Resumption: Equatable, Sendable {
        /// After this index: every later event is held (or has not happened yet).
        case after(UInt64)
        /// After this index, which is not applied here yet (the client saw a newer leader's
        /// events): the stream waits for it, but only so long (`settle`).
        case ahead(UInt64)
        /// The client's id is older than what is held: it is told (`event: reset`) and the
        /// stream goes on after this index.
        case reset(after: UInt64)
    }

    /// What a stream at some position reads next.
    public enum Read: Equatable, Sendable {
        /// The entries to send (those its filter takes) and the position after them.
        case entries([Entry], cursor: UInt64)
        /// Events after the position were dropped (too far behind, or a snapshot replaced the
        /// state): what `Resumption.reset` says, with where to go on.
        case behind(after: UInt64)
    }

    public static let capacityDefault = 4_096
    public static let bytesCapacityDefault = 8 << 20

    public let capacity: Int
    public let bytesCapacity: Int
    /// Every event from this index up to `appliedIndex` is held.
    public private(set) var coveredFrom: UInt64
    /// The last index applied, event or not.
    public private(set) var appliedIndex: UInt64
    private var entries: [Entry] = []
    /// The first held entry in `entries` (those before it are dropped, removed in bulk).
    private var start = 0
    /// The bytes of every frame ever recorded (what `Entry.bytesThrough` counts).
    private var recordedBytes: UInt64 = 0

    /// An empty journal of a coordinator whose state starts at `appliedIndex` (its snapshot's).
    public init(appliedIndex: UInt64, capacity: Int = capacityDefault, bytesCapacity: Int = bytesCapacityDefault) {
        precondition(capacity > 0 && bytesCapacity > 0, "an event journal holds something")
        self.capacity = capacity
        self.bytesCapacity = bytesCapacity
        self.appliedIndex = appliedIndex
        coveredFrom = appliedIndex + 1
    }

    /// Events held now.
    public var count: Int { entries.count - start }

    /// The held entries, oldest first.
    public var held: ArraySlice<Entry> { entries[start...] }

    /// Records the events of entries applied up to `appliedIndex`, in index order; an event at or
    /// below an index already recorded is ignored (a replay changes nothing).
    public mutating func record(_ events: [Entry], through appliedIndex: UInt64) {
        for var entry in events where entry.index > self.appliedIndex && entry.index <= appliedIndex {
            recordedBytes += UInt64(entry.frame.count)
            entry.bytesThrough = recordedBytes
            entries.append(entry)
            self.appliedIndex = entry.index
        }
        self.appliedIndex = max(self.appliedIndex, appliedIndex)
        while count > capacity || (bytes(from: start) > UInt64(bytesCapacity) && count > 1) { dropOldest() }
        if start > capacity {
            entries.removeFirst(start)
            start = 0
        }
    }

    /// The state was replaced by a snapshot at `index`: what came before it is unknown here.
    public mutating func restart(at index: UInt64) {
        entries = []
        start = 0
        appliedIndex = max(appliedIndex, index)
        coveredFrom = appliedIndex + 1
    }

    /// Where a stream whose client last saw `lastEventID` (nil: a new client) starts: a new
    /// client after what is applied now; a known id after it; one not applied here yet after it
    /// too, for a bounded wait (it saw a newer leader's events); an id older than what is held
    /// gets a reset.
    public func resume(lastEventID: UInt64?) -> Resumption {
        guard let lastEventID else { return .after(appliedIndex) }
        guard lastEventID <= appliedIndex else { return .ahead(lastEventID) }
        return lastEventID >= coveredFrom - 1 ? .after(lastEventID) : .reset(after: coveredFrom - 1)
    }

    /// The wait of a stream at `cursor`, resumed `ahead`, is over: it goes on as `resume` says if
    /// this coordinator applied `cursor` by now; if not (a restored cluster, a partitioned
    /// follower, a made-up id), it is reset to what is applied here.
    public func settle(waitingAt cursor: UInt64) -> Resumption {
        cursor <= appliedIndex ? resume(lastEventID: cursor) : .reset(after: appliedIndex)
    }

    /// The next entries after `cursor` that `filter` takes, at most about `maximumBytes` of them
    /// (at least one).
    public func read(after cursor: UInt64, filter: Filter, maximumBytes: Int) -> Read {
        guard cursor >= coveredFrom - 1 else { return .behind(after: coveredFrom - 1) }
        var taken: [Entry] = []
        var bytes = 0
        var position = firstPosition(after: cursor)
        while position < entries.count, taken.isEmpty || bytes + entries[position].frame.count <= maximumBytes {
            let entry = entries[position]
            if filter.takes(entry) {
                taken.append(entry)
                bytes += entry.frame.count
            }
            position += 1
        }
        let next = position < entries.count ? entries[position - 1].index : max(cursor, appliedIndex)
        return .entries(taken, cursor: next)
    }

    /// Whether a stream at `cursor` has more than `maximumEvents` events or `maximumBytes` bytes
    /// waiting, or has fallen behind what is held: a slow subscriber, to be dropped.
    public func isBacklogOver(after cursor: UInt64, maximumEvents: Int, maximumBytes: Int) -> Bool {
        guard cursor >= coveredFrom - 1 else { return true }
        let position = firstPosition(after: cursor)
        guard position < entries.count else { return false }
        return entries.count - position > maximumEvents || bytes(from: position) > UInt64(maximumBytes)
    }

    /// The bytes of the frames in `entries` from `position` on.
    private func bytes(from position: Int) -> UInt64 {
        guard position < entries.count else { return 0 }
        let first = entries[position]
        return recordedBytes - (first.bytesThrough - UInt64(first.frame.count))
    }

    private mutating func dropOldest() {
        let oldest = entries[start]
        coveredFrom = oldest.index + 1
        start += 1
    }

    /// The position in `entries` of the first held entry with an index above `cursor`.
    private func firstPosition(after cursor: UInt64) -> Int {
        var low = start, high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].index <= cursor { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
