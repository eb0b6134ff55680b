import Primitives

/// The deadlines one connection can be under — handshake, handler (idle or
/// request), graceful close — and the single loop timer armed for the earliest.
struct ConnectionDeadlines {
    var handshake: MonotonicInstant?
    var handler: MonotonicInstant?
    var close: MonotonicInstant?
    var armedTimer: (id: TimerID, at: MonotonicInstant)?

    var earliest: MonotonicInstant? {
        [handshake, handler, close].compactMap { $0 }.min()
    }

    mutating func cancelTimer(on loop: EventLoop) {
        if let armed = armedTimer { loop.cancelTimer(armed.id) }
        armedTimer = nil
    }
}

extension TLSConnection {
    /// Keeps one timer armed at the earliest deadline. A deadline that moves
    /// later leaves the timer in place; it re-arms when it fires.
    func armDeadlineTimer() {
        guard state != .closed else { return }
        guard let earliest = deadlines.earliest else {
            deadlines.cancelTimer(on: loop)
            return
        }
        if let armed = deadlines.armedTimer, armed.at <= earliest { return }
        deadlines.cancelTimer(on: loop)
        let id = loop.scheduleTimer(at: earliest) { [weak self] in self?.deadlineTimerFired() }
        deadlines.armedTimer = (id, earliest)
    }

    private func deadlineTimerFired() {
        deadlines.armedTimer = nil
        let now = loop.now
        if let handshake = deadlines.handshake, handshake <= now {
            return abort(.timeout("TLS handshake not finished within \(limits.handshakeTimeout)"))
        }
        if let close = deadlines.close, close <= now {
            if state == .lingering { return abort(closeReason ?? .local("closed")) }
            return abort(.timeout("close did not flush within \(limits.closeTimeout)"))
        }
        if let handlerDeadline = deadlines.handler, handlerDeadline <= now {
            deadlines.handler = nil
            handler?.connectionDeadlineExpired(self)
        }
        armDeadlineTimer()
    }
}
