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
        public let frame: [UInt8]
        /// The bytes of every frame recorded up to and including this one: backlogs in bytes.
        fileprivate(set) var bytesThrough: UInt64 = 0

        public init(_ event: FleetEvent) {
            index = event.index
            kind = event.kind
            frame = EventStreamText.frame(event)
        }
    }

    /// Where a stream starts.
    public enum Resumption: Equatable, Sendable {
        /// After this index: every later event is held (or has not happened yet).
        case after(UInt64)
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
    private var heldBytes = 0
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
            heldBytes += entry.frame.count
            self.appliedIndex = entry.index
        }
        self.appliedIndex = max(self.appliedIndex, appliedIndex)
        while count > capacity || (heldBytes > bytesCapacity && count > 1) { dropOldest() }
        if start > capacity {
            entries.removeFirst(start)
            start = 0
        }
    }

    /// The state was replaced by a snapshot at `index`: what came before it is unknown here.
    public mutating func restart(at index: UInt64) {
        entries = []
        start = 0
        heldBytes = 0
        appliedIndex = max(appliedIndex, index)
        coveredFrom = appliedIndex + 1
    }

    /// Where a stream whose client last saw `lastEventID` (nil: a new client) starts: a new
    /// client after what is applied now; a known id after it, even one not applied here yet (it
    /// saw a newer leader's events: the stream waits until they apply); an id older than what
    /// is held gets a reset.
    public func resume(lastEventID: UInt64?) -> Resumption {
        guard let lastEventID else { return .after(appliedIndex) }
        return lastEventID >= coveredFrom - 1 ? .after(lastEventID) : .reset(after: coveredFrom - 1)
    }

    /// The next entries after `cursor` of the kinds in `kinds` (nil: all), at most about
    /// `maximumBytes` of them (at least one).
    public func read(after cursor: UInt64, kinds: Set<FleetEvent.Kind>?, maximumBytes: Int) -> Read {
        guard cursor >= coveredFrom - 1 else { return .behind(after: coveredFrom - 1) }
        var taken: [Entry] = []
        var bytes = 0
        var position = firstPosition(after: cursor)
        while position < entries.count, taken.isEmpty || bytes + entries[position].frame.count <= maximumBytes {
            let entry = entries[position]
            if kinds?.contains(entry.kind) ?? true {
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
        let first = entries[position]
        let waitingBytes = recordedBytes - (first.bytesThrough - UInt64(first.frame.count))
        return entries.count - position > maximumEvents || waitingBytes > UInt64(maximumBytes)
    }

    private mutating func dropOldest() {
        let oldest = entries[start]
        heldBytes -= oldest.frame.count
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
