import Fleet
import Gateway
import Locking

/// One module order as its caller holds it (`ModuleOrders.order`): what was asked, who asked
/// (recorded with the result), and its end once it comes. Safe from any thread.
final class ModuleOrderHandle: Sendable {
    typealias Finished = ModuleOrderBook.Finished

    let id: UInt64
    let request: ModuleOrderBook.Request
    /// Who asked, from where: the result's write is audited in their name.
    let audit: AuditContext?
    private let state = Locked<(finished: Finished?, waiters: [@Sendable (Finished) -> Void])>((nil, []))

    init(id: UInt64, request: ModuleOrderBook.Request, audit: AuditContext?) {
        self.id = id
        self.request = request
        self.audit = audit
    }

    /// The order's end, once it came.
    var finished: Finished? { state.withLock { $0.finished } }

    /// Runs `body` with the order's end: now if it came, else when it comes (on the thread that ends it).
    func whenFinished(_ body: @escaping @Sendable (Finished) -> Void) {
        let finished = state.withLock { state -> Finished? in
            if state.finished == nil { state.waiters.append(body) }
            return state.finished
        }
        if let finished { body(finished) }
    }

    func finish(_ finished: Finished) {
        let waiters = state.withLock { state -> [@Sendable (Finished) -> Void] in
            guard state.finished == nil else { return [] }
            state.finished = finished
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter(finished) }
    }
}
