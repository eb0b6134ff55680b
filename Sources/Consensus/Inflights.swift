/// The append messages sent to one follower and not yet acknowledged, as a bounded FIFO of
/// (last index, bytes): the leader stops pipelining when it holds `capacityMessages` messages
/// or `capacityBytes` bytes (one message may overshoot the byte bound, as in etcd).
struct Inflights: Sendable {
    let capacityMessages: Int
    let capacityBytes: Int
    private var indexes: [UInt64] = []
    private var sizes: [Int] = []
    private var start = 0
    private(set) var count = 0
    private(set) var bytes = 0

    init(capacityMessages: Int, capacityBytes: Int) {
        precondition(capacityMessages >= 1 && capacityBytes >= 1)
        self.capacityMessages = capacityMessages
        self.capacityBytes = capacityBytes
    }

    var isFull: Bool { count >= capacityMessages || bytes >= capacityBytes }

    var newestIndex: UInt64? {
        count == 0 ? nil : indexes[(start + count - 1) % capacityMessages]
    }

    mutating func add(index: UInt64, bytes messageBytes: Int) {
        precondition(!isFull, "the leader must not send to a follower whose in-flight window is full")
        precondition(newestIndex.map { index > $0 } ?? true, "in-flight indexes must increase")
        if indexes.isEmpty {
            indexes = [UInt64](repeating: 0, count: capacityMessages)
            sizes = [Int](repeating: 0, count: capacityMessages)
        }
        let slot = (start + count) % capacityMessages
        indexes[slot] = index
        sizes[slot] = messageBytes
        count += 1
        bytes += messageBytes
        assert(count <= capacityMessages)
    }

    /// Frees every message whose last index is at or below `index` (the follower has it).
    mutating func free(through index: UInt64) {
        var freed = 0
        while count > 0 && freed < capacityMessages && indexes[start] <= index {
            bytes -= sizes[start]
            start = (start + 1) % capacityMessages
            count -= 1
            freed += 1
        }
        if count == 0 { start = 0 }
        assert(bytes >= 0 && (count > 0 || bytes == 0))
    }

    /// Frees the oldest message: a heartbeat answer from a follower whose window is full means
    /// messages were probably lost, and one slot lets the leader probe on.
    mutating func freeOldest() {
        guard count > 0 else { return }
        free(through: indexes[start])
    }

    mutating func reset() {
        start = 0
        count = 0
        bytes = 0
    }
}
