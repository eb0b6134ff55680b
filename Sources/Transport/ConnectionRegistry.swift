import Primitives
import Synchronization

/// Tracks one endpoint's live connections: `ConnectionAdmission` (under a lock, as every loop
/// accepts) decides who may hold a handshake or an established slot, and per-loop tables
/// (touched only on their loop) let shutdown and eviction reach every connection.
final class ConnectionRegistry: @unchecked Sendable {
    let limits: ConnectionAdmission.Limits
    private let admission: Mutex<ConnectionAdmission>
    private let nextIdentifier = Atomic<UInt64>(1)
    private let perLoop: [LoopTable]

    /// The connections of one loop and which of them finished their handshake; touched only by its loop.
    private final class LoopTable {
        var connections: [UInt64: TLSConnection] = [:]
        var established: Set<UInt64> = []
    }

    init(limits: ConnectionAdmission.Limits, loopCount: Int) {
        self.limits = limits
        admission = Mutex(ConnectionAdmission(limits: limits))
        perLoop = (0..<loopCount).map { _ in LoopTable() }
    }

    var count: Int { admission.withLock { $0.count } }

    func makeIdentifier() -> UInt64 {
        nextIdentifier.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// Asks at `now` for a handshake slot for connection `id` from `source`.
    func admit(id: UInt64, source: String, now: MonotonicInstant) -> ConnectionAdmission.Decision {
        admission.withLock { $0.admit(id: id, source: source, now: now) }
    }

    /// Moves `connection` to an established slot, or says why not (the caller closes it).
    func establish(_ connection: TLSConnection) -> ConnectionAdmission.Establishment {
        connection.loop.preconditionInLoop()
        let outcome = admission.withLock { $0.establish(id: connection.id) }
        if outcome == .established { perLoop[connection.loop.index].established.insert(connection.id) }
        return outcome
    }

    /// Gives back the slot of connection `id` that never got a `TLSConnection` (its setup failed).
    func releaseUnstarted(id: UInt64) {
        admission.withLock { $0.release(id: id, wasEstablished: false) }
    }

    func insert(_ connection: TLSConnection) {
        connection.loop.preconditionInLoop()
        perLoop[connection.loop.index].connections[connection.id] = connection
    }

    /// Forgets a closed connection and gives back its slot.
    func remove(_ connection: TLSConnection) {
        connection.loop.preconditionInLoop()
        let table = perLoop[connection.loop.index]
        table.connections[connection.id] = nil
        let wasEstablished = table.established.remove(connection.id) != nil
        admission.withLock { $0.release(id: connection.id, wasEstablished: wasEstablished) }
    }

    /// The connection `id` if it lives on `loop`; call on that loop.
    func connection(_ id: UInt64, on loop: EventLoop) -> TLSConnection? {
        loop.preconditionInLoop()
        return perLoop[loop.index].connections[id]
    }

    /// The connections living on `loop`; call on that loop.
    func connections(on loop: EventLoop) -> [TLSConnection] {
        loop.preconditionInLoop()
        return Array(perLoop[loop.index].connections.values)
    }
}
