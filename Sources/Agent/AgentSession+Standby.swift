import Transport

/// The standby connection: once welcomed, a session keeps a second
/// connection open to another coordinator, with no hello on it. When the
/// leader is lost, or a redirect names that coordinator, the hello goes out
/// on it at once: no TCP connect and no TLS handshake while a whole fleet
/// re-attaches at the same moment. It is opened after a random delay (up to
/// `standbyDelayMaximum`) so a fleet spreads the cost, and kept alive by the
/// link's keepalive pings like any other.
extension AgentSession {
    /// Called at every welcome: drops a standby whose coordinator now leads,
    /// and schedules one when there is none.
    func planStandby() {
        guard let delayMaximum = configuration.session.standbyDelayMaximum,
              configuration.coordinators.contains(where: { $0 != target }) else { return }
        if let standby, standby.target == target { dropStandby() }
        guard standby == nil, standbyTimer == nil else { return }
        let delay = Duration.nanoseconds(Int64.random(in: 0...Int64(delayMaximum.wholeNanoseconds)))
        standbyTimer = loop.scheduleTimer(at: MonotonicInstant.now().advanced(by: delay)) { [weak self] in
            guard let self else { return }
            standbyTimer = nil
            openStandby()
        }
    }

    private func openStandby() {
        guard !isStopped, case .welcomed = phase, standby == nil,
              let next = configuration.coordinators.filter({ $0 != target }).randomElement() else { return }
        let made = makeLink(to: next)
        standby = (made, next)
        logger.debug("opening a standby connection", ["address": "\(next)"])
        made.start()
    }

    /// Makes the standby connection the session's link and says hello on it.
    func promoteStandby() {
        guard let standby else { return }
        self.standby = nil
        link?.stop()
        link = standby.link
        target = standby.target
        logger.info("saying hello on the standby connection", ["address": "\(standby.target)"])
        sendHello(on: standby.link)
    }

    func dropStandby() {
        if let standbyTimer { loop.cancelTimer(standbyTimer) }
        standbyTimer = nil
        standby?.link.stop()
        standby = nil
    }
}
