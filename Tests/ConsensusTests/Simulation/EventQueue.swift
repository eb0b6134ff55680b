/// Something that happens at one instant of a simulation. Messages in flight live in the
/// simulator's pool and are named by slot, which keeps events small to move around the heap.
enum SimulationEvent {
    case tick(node: Int, chain: Int)
    case deliver(flight: Int)
    case persist(node: Int, incarnation: Int)
    case restart(node: Int)
    case resume(node: Int, incarnation: Int)
    case heal
    case chaos
    case calm
    case calmProposal
}

/// A binary min-heap of simulator events ordered by true time, ties broken by insertion order,
/// so the simulation is a pure function of its seed. (Not generic: unspecialized generics are
/// slow in the debug builds `swift test` uses.)
struct EventQueue {
    private struct Item {
        var time: Int64
        var sequence: UInt64
        var event: SimulationEvent
    }

    private var heap: [Item] = []
    private var nextSequence: UInt64 = 0

    var count: Int { heap.count }
    var isEmpty: Bool { heap.isEmpty }
    var nextTime: Int64? { heap.first?.time }

    mutating func push(_ event: SimulationEvent, at time: Int64) {
        heap.append(Item(time: time, sequence: nextSequence, event: event))
        nextSequence += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard precedes(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (time: Int64, event: SimulationEvent)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count && precedes(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count && precedes(heap[right], heap[smallest]) { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return (top.time, top.event)
    }

    private func precedes(_ lhs: Item, _ rhs: Item) -> Bool {
        lhs.time != rhs.time ? lhs.time < rhs.time : lhs.sequence < rhs.sequence
    }
}
