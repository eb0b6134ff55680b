import Primitives
import Transport

/// Standby connections: once welcomed, a session keeps a connection open to
/// every other coordinator, with no hello on it. When the leader is lost,
/// the hello goes out at once on one of them, and a redirect to another is
/// followed on that one's: a failover costs the fleet no TCP connect and no
/// TLS handshake at the moment every agent re-attaches together. They are
/// opened after a random delay (up to `standbyDelayMaximum`) so a fleet
/// spreads the cost, and kept alive by slower keepalive pings than the
/// leader's link (`standbyKeepaliveInterval`).
extension AgentSession {
    /// A connection to a coordinator that is not the session's target.
    struct Standby {
        let link: FrameLink
        let target: CoordinatorAddress
    }

    /// Called at every welcome: drops the standby to the coordinator that now
    /// leads, and schedules standbys to every other one that has none.
    func planStandbys() {
        guard let delayMaximum = configuration.session.standbyDelayMaximum else { return }
        if let index = standbys.firstIndex(where: { $0.target == target }) { standbys.remove(at: index).link.stop() }
        guard standbyTimer == nil, !coordinatorsWithoutStandby.isEmpty else { return }
        let delay = Duration.nanoseconds(Int64.random(in: 0...Int64(delayMaximum.wholeNanoseconds)))
        standbyTimer = loop.scheduleTimer(at: MonotonicInstant.now().advanced(by: delay)) { [weak self] in
            guard let self else { return }
            standbyTimer = nil
            openStandbys()
        }
    }

    private var coordinatorsWithoutStandby: [CoordinatorAddress] {
        configuration.coordinators.filter { address in
            address != target && !standbys.contains { $0.target == address }
        }
    }

    private func openStandbys() {
        guard !isStopped, case .welcomed = phase else { return }
        for next in coordinatorsWithoutStandby {
            let made = makeLink(to: next, standby: true)
            standbys.append(Standby(link: made, target: next))
            logger.debug("opening a standby connection", ["address": "\(next)"])
            made.start()
        }
    }

    /// A connected standby to a coordinator other than `avoiding`, chosen at
    /// random so a fleet spreads its hellos over the survivors.
    func connectedStandbyTarget(avoiding: CoordinatorAddress?) -> CoordinatorAddress? {
        standbys.filter { $0.link.isConnected && $0.target != avoiding }.randomElement()?.target
    }

    /// Makes the standby to `address`, if connected, the session's link and
    /// says hello on it; a standby that is not connected is redialling a
    /// coordinator that may be gone, so it is dropped. True if promoted.
    func promoteStandby(to address: CoordinatorAddress) -> Bool {
        guard let index = standbys.firstIndex(where: { $0.target == address }) else { return false }
        let standby = standbys.remove(at: index)
        guard standby.link.isConnected else {
            standby.link.stop()
            return false
        }
        link?.stop()
        link = standby.link
        target = address
        logger.info("saying hello on the standby connection", ["address": "\(address)"])
        sendHello(on: standby.link)
        return true
    }

    func dropStandbys() {
        if let standbyTimer { loop.cancelTimer(standbyTimer) }
        standbyTimer = nil
        for standby in standbys { standby.link.stop() }
        standbys = []
    }

    var connectedStandbyCount: Int { standbys.count { $0.link.isConnected } }
}
