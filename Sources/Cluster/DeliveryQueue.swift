/// A bounded first-in, first-out queue that drops its oldest element to take a new one when full
/// (the approval webhook's deliveries: a notice newer than a stuck one matters more), counting
/// what it dropped.
public struct DeliveryQueue<Element: Sendable>: Sendable {
    public let capacity: Int
    private var elements: [Element] = []
    private var head = 0
    public private(set) var droppedTotal: UInt64 = 0

    public init(capacity: Int) {
        precondition(capacity > 0, "a queue needs room for one element")
        self.capacity = capacity
    }

    public var count: Int { elements.count - head }
    public var isEmpty: Bool { count == 0 }

    /// Appends `element`; returns the element dropped to make room, if any.
    @discardableResult
    public mutating func append(_ element: Element) -> Element? {
        var dropped: Element?
        if count == capacity {
            dropped = elements[head]
            head += 1
            droppedTotal += 1
        }
        elements.append(element)
        compact()
        return dropped
    }

    public mutating func popFirst() -> Element? {
        guard head < elements.count else { return nil }
        let first = elements[head]
        head += 1
        compact()
        return first
    }

    /// Keeps the array's dead prefix no longer than the live part.
    private mutating func compact() {
        if head > 0, head >= elements.count - head {
            elements.removeFirst(head)
            head = 0
        }
    }
}
