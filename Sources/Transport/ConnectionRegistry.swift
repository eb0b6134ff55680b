import Synchronization

/// Counts and tracks one endpoint's live connections: a shared atomic count
/// enforces the endpoint-wide bound, and per-loop tables (touched only on their
/// loop) let shutdown reach every connection.
final class ConnectionRegistry: @unchecked Sendable {
    let maximumConnections: Int
    private let liveCount = Atomic<Int>(0)
    private let nextIdentifier = Atomic<UInt64>(1)
    private let perLoop: [LoopTable]

    /// The connections of one loop; each table is touched only by its loop.
    private final class LoopTable {
        var connections: [UInt64: TLSConnection] = [:]
    }

    init(maximumConnections: Int, loopCount: Int) {
        self.maximumConnections = maximumConnections
        perLoop = (0..<loopCount).map { _ in LoopTable() }
    }

    var count: Int { liveCount.load(ordering: .relaxed) }

    /// Reserves a slot; false when the endpoint is at its bound.
    func reserve() -> Bool {
        let after = liveCount.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue
        if after <= maximumConnections { return true }
        liveCount.wrappingSubtract(1, ordering: .acquiringAndReleasing)
        return false
    }

    func release() {
        liveCount.wrappingSubtract(1, ordering: .acquiringAndReleasing)
    }

    func makeIdentifier() -> UInt64 {
        nextIdentifier.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    func insert(_ connection: TLSConnection) {
        connection.loop.preconditionInLoop()
        perLoop[connection.loop.index].connections[connection.id] = connection
    }

    func remove(_ connection: TLSConnection) {
        connection.loop.preconditionInLoop()
        perLoop[connection.loop.index].connections[connection.id] = nil
    }

    /// The connections living on `loop`; call on that loop.
    func connections(on loop: EventLoop) -> [TLSConnection] {
        loop.preconditionInLoop()
        return Array(perLoop[loop.index].connections.values)
    }
}
