import Primitives

/// Who may hold a connection slot on one endpoint: connections still in their TLS handshake
/// (unauthenticated) and established ones live in separate budgets, so a host that opens
/// connections and never finishes a handshake cannot take the slots of authenticated peers and
/// agents. Handshakes are also capped per source (`ConnectionSource` names it). When the handshake
/// budget is full, a newcomer whose source holds fewer pending handshakes than the heaviest
/// source takes the place of that source's oldest one, however young: a few sources churning
/// their connections to keep every slot young cannot shut a new or light source out. Otherwise
/// the oldest pending handshake makes room if it has been pending for `evictionAge` (a real
/// peer's handshake takes milliseconds; what lingers is what never meant to finish), and if none
/// is that old the new connection is refused, so a burst of genuine handshakes is never cut short
/// by its own tail. Pure: the caller passes the time and closes what the decisions name.
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

    /// What became of a connection that finished its handshake.
    enum Establishment: Equatable, Sendable {
        case established
        /// It was told to close to make room for a newer handshake, and finished first.
        case refusedEvicted
        /// Every established slot is taken.
        case refusedEstablishedFull
    }

    private struct Pending {
        let source: String
        let admittedAt: MonotonicInstant
        var isEvicted = false
    }

    let limits: Limits
    private var pending: [UInt64: Pending] = [:]
    /// Pending handshakes per source, evicted ones included until they close (the per-source cap).
    private var pendingPerSource: [String: Int] = [:]
    /// Pending handshakes per source not yet told to close (who is heaviest).
    private var livePendingPerSource: [String: Int] = [:]
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
            guard pending.count - livePendingCount < limits.handshakesMaximum,
                  let victim = victim(for: source, now: now) else {
                return .refusedHandshakesFull
            }
            markEvicted(victim)
            decision = .admittedEvicting(id: victim)
        }
        pending[id] = Pending(source: source, admittedAt: now)
        pendingPerSource[source, default: 0] += 1
        livePendingPerSource[source, default: 0] += 1
        livePendingCount += 1
        return decision
    }

    /// Connection `id` finished its handshake: whether it moved to an established slot, or why
    /// not (it stays pending; the caller closes it).
    mutating func establish(id: UInt64) -> Establishment {
        guard let entry = pending[id] else { preconditionFailure("connection \(id) finished a handshake it was never admitted to") }
        if entry.isEvicted { return .refusedEvicted }
        guard establishedCount < limits.establishedMaximum else { return .refusedEstablishedFull }
        forget(id, entry)
        establishedCount += 1
        return .established
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

    /// The pending handshake a newcomer from `source` may replace at `now`: the oldest of the
    /// heaviest sources' when `source` holds fewer, else the oldest of all once it is `evictionAge` old.
    private func victim(for source: String, now: MonotonicInstant) -> UInt64? {
        let heaviest = livePendingPerSource.values.max() ?? 0
        if livePendingPerSource[source, default: 0] < heaviest {
            return oldestLivePending { livePendingPerSource[$0.source] == heaviest }
        }
        guard let oldest = oldestLivePending({ _ in true }), let entry = pending[oldest],
              entry.admittedAt.advanced(by: limits.evictionAge) <= now else { return nil }
        return oldest
    }

    /// The oldest pending handshake not yet told to close among those `included` accepts.
    private func oldestLivePending(_ included: (Pending) -> Bool) -> UInt64? {
        var oldest: UInt64?
        for (id, entry) in pending where !entry.isEvicted && id < (oldest ?? .max) && included(entry) { oldest = id }
        return oldest
    }

    private mutating func markEvicted(_ id: UInt64) {
        guard let entry = pending[id] else { return }
        pending[id]?.isEvicted = true
        livePendingCount -= 1
        Self.decrement(&livePendingPerSource, entry.source)
    }

    private mutating func forget(_ id: UInt64, _ entry: Pending) {
        pending[id] = nil
        if !entry.isEvicted {
            livePendingCount -= 1
            Self.decrement(&livePendingPerSource, entry.source)
        }
        Self.decrement(&pendingPerSource, entry.source)
    }

    private static func decrement(_ counts: inout [String: Int], _ source: String) {
        let left = counts[source, default: 1] - 1
        counts[source] = left > 0 ? left : nil
    }
}
