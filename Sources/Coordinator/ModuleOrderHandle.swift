import Fleet
import Gateway
import Locking

/// One module order as its caller holds it (`ModuleOrders.order`): what was asked, who asked
/// (recorded with the result), and its end once it comes: the order's ending and whether the
/// node's record in the fleet says what the host answered (known once the write was answered).
/// Safe from any thread.
final class ModuleOrderHandle: Sendable {
    typealias Finished = ModuleOrderBook.Finished

    /// An order's end as its caller sees it.
    struct End: Sendable {
        var finished: Finished
        /// True when the fleet's record of the node holds the host's answer (written and committed,
        /// or already so); false when it does not (no definitive answer, the node left the fleet, the write failed).
        var recorded: Bool
    }

    let id: UInt64
    let request: ModuleOrderBook.Request
    /// Who asked, from where: the result's write is audited in their name.
    let audit: AuditContext?
    private let state = Locked<(end: End?, waiters: [@Sendable (End) -> Void])>((nil, []))

    init(id: UInt64, request: ModuleOrderBook.Request, audit: AuditContext?) {
        self.id = id
        self.request = request
        self.audit = audit
    }

    /// The order's end, once it came.
    var end: End? { state.withLock { $0.end } }

    /// Runs `body` with the order's end: now if it came, else when it comes (on the thread that ends it).
    func whenFinished(_ body: @escaping @Sendable (End) -> Void) {
        let end = state.withLock { state -> End? in
            if state.end == nil { state.waiters.append(body) }
            return state.end
        }
        if let end { body(end) }
    }

    func finish(_ finished: Finished, recorded: Bool) {
        let end = End(finished: finished, recorded: recorded)
        let waiters = state.withLock { state -> [@Sendable (End) -> Void] in
            guard state.end == nil else { return [] }
            state.end = end
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter(end) }
    }
}
