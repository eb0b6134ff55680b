import Locking
import Primitives
import Synchronization

/// Tracks one endpoint's live connections. `ConnectionAdmission` decides who may hold a
/// handshake or an established slot and, with it, which loop each pending handshake lives on,
/// so an eviction is posted to that loop alone; both sit under one `Locked` pthread mutex, as
/// every loop accepts (ThreadSanitizer cannot see `Synchronization.Mutex`). Per-loop tables
/// (touched only on their loop) let shutdown and eviction reach every connection.
final class ConnectionRegistry: @unchecked Sendable {
    /// A new connection's slot: refused, or admitted, perhaps in place of a pending handshake.
    enum Admission: Sendable {
        case refused
        /// The caller must close `evicting` (a pending handshake on the loop of that index).
        case admitted(evicting: (id: UInt64, loopIndex: Int)?)
    }

    /// The admission rules and the loop of each pending handshake, kept together under one lock.
    private struct Shared {
        var admission: ConnectionAdmission
        var pendingLoops: [UInt64: Int] = [:]

        mutating func release(id: UInt64, wasEstablished: Bool) {
            admission.release(id: id, wasEstablished: wasEstablished)
            if !wasEstablished { pendingLoops[id] = nil }
        }
    }

    let limits: ConnectionAdmission.Limits
    private let shared: Locked<Shared>
    private let nextIdentifier = Atomic<UInt64>(1)
    private let perLoop: [LoopTable]

    /// The connections of one loop and which of them finished their handshake; touched only by its loop.
    private final class LoopTable {
        var connections: [UInt64: TLSConnection] = [:]
        var established: Set<UInt64> = []
    }

    init(limits: ConnectionAdmission.Limits, loopCount: Int) {
        self.limits = limits
        shared = Locked(Shared(admission: ConnectionAdmission(limits: limits)))
        perLoop = (0..<loopCount).map { _ in LoopTable() }
    }

    var count: Int { shared.withLock { $0.admission.count } }

    func makeIdentifier() -> UInt64 {
        nextIdentifier.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// Asks at `now` for a handshake slot for connection `id` from `source`, to live on the loop
    /// of index `loopIndex`.
    func admit(id: UInt64, source: String, loopIndex: Int, now: MonotonicInstant) -> Admission {
        shared.withLock { shared in
            let evicted: UInt64?
            switch shared.admission.admit(id: id, source: source, now: now) {
            case .refusedEstablishedFull, .refusedSourceBusy, .refusedHandshakesFull: return .refused
            case .admitted: evicted = nil
            case let .admittedEvicting(id): evicted = id
            }
            shared.pendingLoops[id] = loopIndex
            return .admitted(evicting: evicted.flatMap { id in shared.pendingLoops[id].map { (id, $0) } })
        }
    }

    /// Moves `connection` to an established slot, or says why not (the caller closes it).
    func establish(_ connection: TLSConnection) -> ConnectionAdmission.Establishment {
        connection.loop.preconditionInLoop()
        let outcome = shared.withLock { shared in
            let outcome = shared.admission.establish(id: connection.id)
            if outcome == .established { shared.pendingLoops[connection.id] = nil }
            return outcome
        }
        if outcome == .established { perLoop[connection.loop.index].established.insert(connection.id) }
        return outcome
    }

    /// Gives back the slot of connection `id` that never got a `TLSConnection` (its setup failed).
    func releaseUnstarted(id: UInt64) {
        shared.withLock { $0.release(id: id, wasEstablished: false) }
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
        shared.withLock { $0.release(id: connection.id, wasEstablished: wasEstablished) }
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
