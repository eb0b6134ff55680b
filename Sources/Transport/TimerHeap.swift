import Primitives

/// Identifies a scheduled timer so it can be cancelled.
public struct TimerID: Hashable, Sendable {
    let sequence: UInt64
}

/// A binary min-heap of timer deadlines with lazy cancellation, owned by one
/// event loop. Cancelled entries are dropped when they reach the top.
struct TimerHeap {
    private struct Entry {
        let deadline: MonotonicInstant
        let id: TimerID
    }

    private var heap: [Entry] = []
    private var actions: [TimerID: () -> Void] = [:]
    private var nextSequence: UInt64 = 0

    var count: Int { actions.count }

    mutating func schedule(at deadline: MonotonicInstant, _ action: @escaping () -> Void) -> TimerID {
        nextSequence += 1
        let id = TimerID(sequence: nextSequence)
        actions[id] = action
        heap.append(Entry(deadline: deadline, id: id))
        siftUp(heap.count - 1)
        return id
    }

    mutating func cancel(_ id: TimerID) {
        actions[id] = nil
    }

    /// The earliest live deadline, discarding cancelled entries on the way.
    mutating func nextDeadline() -> MonotonicInstant? {
        while let top = heap.first {
            if actions[top.id] != nil { return top.deadline }
            popTop()
        }
        return nil
    }

    /// Removes and returns the earliest live timer due at `now`, if any. Popped
    /// one at a time so that a timer cancelled by an earlier one in the same
    /// tick never fires.
    mutating func popNextDue(now: MonotonicInstant) -> (() -> Void)? {
        while let top = heap.first, top.deadline <= now {
            popTop()
            if let action = actions.removeValue(forKey: top.id) { return action }
        }
        return nil
    }

    mutating func removeAll() {
        heap.removeAll()
        actions.removeAll()
    }

    private mutating func popTop() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].deadline < heap[smallest].deadline { smallest = left }
            if right < heap.count, heap[right].deadline < heap[smallest].deadline { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
