import Primitives

/// Who may hold a connection slot on one endpoint: connections still in their TLS handshake
/// (unauthenticated) and established ones live in separate budgets, so a host that opens
/// connections and never finishes a handshake cannot take the slots of authenticated peers and
/// agents. Handshakes are also capped per source address. When the handshake budget is full, the
/// oldest handshake still pending makes room for the new one if it has been pending for
/// `evictionAge` (a real peer's handshake takes milliseconds; what lingers is what never meant to
/// finish); otherwise the new connection is refused, so a burst of genuine handshakes is never
/// cut short by its own tail. Pure: the caller passes the time and closes what the decisions name.
struct ConnectionAdmission: Sendable {
    struct Limits: Sendable, Equatable {
        var establishedMaximum: Int
        var handshakesMaximum: Int
        var handshakesPerSourceMaximum: Int
        var evictionAge: Duration
    }

    /// What to do with a new connection.
    enum Decision: Equatable, Sendable {
        case admitted
        /// Admitted in place of the pending handshake `id`, which the caller must close.
        case admittedEvicting(id: UInt64)
        /// Every established slot is taken: refused at accept, as no handshake could get one.
        case refusedEstablishedFull
        case refusedSourceBusy
        case refusedHandshakesFull
    }

    private struct Pending {
        let source: String
        let admittedAt: MonotonicInstant
        var isEvicted = false
    }

    let limits: Limits
    private var pending: [UInt64: Pending] = [:]
    private var pendingPerSource: [String: Int] = [:]
    /// Pending handshakes not yet told to close.
    private var livePendingCount = 0
    private(set) var establishedCount = 0

    init(limits: Limits) {
        precondition(limits.establishedMaximum > 0 && limits.handshakesMaximum > 0 && limits.handshakesPerSourceMaximum > 0,
                     "connection budgets must be positive")
        self.limits = limits
    }

    /// Connections holding a slot of either kind (evicted ones until they close).
    var count: Int { pending.count + establishedCount }

    /// A connection `id` (ids grow with time) from `source` asks at `now` to start its handshake.
    mutating func admit(id: UInt64, source: String, now: MonotonicInstant) -> Decision {
        guard establishedCount < limits.establishedMaximum else { return .refusedEstablishedFull }
        guard pendingPerSource[source, default: 0] < limits.handshakesPerSourceMaximum else { return .refusedSourceBusy }
        var decision = Decision.admitted
        if livePendingCount >= limits.handshakesMaximum {
            // Evicted connections close on their loop's next turn; until then they still hold
            // memory, so at most one budget's worth may be on its way out.
            guard pending.count - livePendingCount < limits.handshakesMaximum, let oldest = oldestLivePending(),
                  let entry = pending[oldest], entry.admittedAt.advanced(by: limits.evictionAge) <= now else {
                return .refusedHandshakesFull
            }
            pending[oldest]?.isEvicted = true
            livePendingCount -= 1
            decision = .admittedEvicting(id: oldest)
        }
        pending[id] = Pending(source: source, admittedAt: now)
        pendingPerSource[source, default: 0] += 1
        livePendingCount += 1
        return decision
    }

    /// Connection `id` finished its handshake: true when it moved to an established slot; false
    /// when those are all taken (it stays pending; the caller closes it).
    mutating func establish(id: UInt64) -> Bool {
        guard let entry = pending[id], !entry.isEvicted, establishedCount < limits.establishedMaximum else { return false }
        forget(id, entry)
        establishedCount += 1
        return true
    }

    /// Connection `id` closed; `wasEstablished` says which budget it held.
    mutating func release(id: UInt64, wasEstablished: Bool) {
        if wasEstablished {
            precondition(establishedCount > 0, "released more established connections than were admitted")
            establishedCount -= 1
        } else if let entry = pending[id] {
            forget(id, entry)
        }
    }

    private func oldestLivePending() -> UInt64? {
        var oldest: UInt64?
        for (id, entry) in pending where !entry.isEvicted && id < (oldest ?? .max) { oldest = id }
        return oldest
    }

    private mutating func forget(_ id: UInt64, _ entry: Pending) {
        pending[id] = nil
        if !entry.isEvicted { livePendingCount -= 1 }
        let left = pendingPerSource[entry.source, default: 1] - 1
        pendingPerSource[entry.source] = left > 0 ? left : nil
    }
}
