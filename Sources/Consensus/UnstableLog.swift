/// The tail of the log (and possibly a snapshot) this node holds but its caller has not yet
/// made durable (etcd's log_unstable.go). Entries start at `offset`; a snapshot, when present,
/// covers everything before `offset`.
struct UnstableLog: Sendable {
    private(set) var snapshot: Snapshot?
    private(set) var entries: [Entry] = []
    /// The index of `entries[0]`, or of the next entry when `entries` is empty.
    private(set) var offset: UInt64

    init(offset: UInt64) {
        precondition(offset >= 1)
        self.offset = offset
    }

    var lastIndex: UInt64? {
        if !entries.isEmpty { return offset + UInt64(entries.count) - 1 }
        return snapshot?.metadata.index
    }

    func term(at index: UInt64) -> UInt64? {
        if index >= offset && index - offset < UInt64(entries.count) {
            return entries[Int(index - offset)].term
        }
        if let snapshot, snapshot.metadata.index == index { return snapshot.metadata.term }
        return nil
    }

    func entry(at index: UInt64) -> Entry {
        precondition(index >= offset && index - offset < UInt64(entries.count), "no unstable entry at \(index)")
        return entries[Int(index - offset)]
    }

    /// The caller persisted entries through `index` (whose term was `term`): forget them.
    /// Returns the entries now stable; none when the log changed in the meantime.
    mutating func stableTo(index: UInt64, term: UInt64) -> ArraySlice<Entry> {
        guard snapshot == nil, index >= offset, self.term(at: index) == term else { return [] }
        let count = Int(index - offset) + 1
        let persisted = entries[0..<count]
        entries.removeFirst(count)
        offset = index + 1
        assert(entries.first.map { $0.index == offset } ?? true)
        return persisted
    }

    /// The caller persisted the snapshot at `index`: hand it over.
    mutating func stableSnapshot(index: UInt64) -> Snapshot? {
        guard let pending = snapshot, pending.metadata.index == index else { return nil }
        snapshot = nil
        return pending
    }

    /// Replaces the whole log with `newSnapshot`.
    mutating func restore(_ newSnapshot: Snapshot) {
        snapshot = newSnapshot
        entries = []
        offset = newSnapshot.metadata.index + 1
    }

    /// Appends `newEntries`, first dropping any entries at or after the first new index.
    /// When they start before `offset` the caller has already dropped the stable ones.
    mutating func truncateAndAppend(_ newEntries: [Entry]) {
        guard let first = newEntries.first?.index else { return }
        let end = offset + UInt64(entries.count)
        precondition(first <= end, "appending at \(first) would leave a gap after \(end - 1)")
        if first <= offset {
            offset = first
            entries = newEntries
        } else {
            entries.removeLast(Int(end - first))
            entries.append(contentsOf: newEntries)
        }
        assert(entries.first?.index == offset)
    }
}
