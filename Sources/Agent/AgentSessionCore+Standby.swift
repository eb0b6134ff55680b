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
extension AgentSessionCore {
    /// A connection to a coordinator that is not the session's target.
    struct Standby: Equatable {
        let link: SessionLinkID
        let target: CoordinatorAddress
        var isConnected = false
    }

    /// Called at every welcome: drops the standby to the coordinator that now
    /// leads, and schedules standbys to every other one that has none.
    mutating func planStandbys() {
        guard let delayMaximum = configuration.session.standbyDelayMaximum else { return }
        if let index = standbys.firstIndex(where: { $0.target == target }) { emit(.stopLink(standbys.remove(at: index).link)) }
        guard !isArmed(.standby), !coordinatorsWithoutStandby.isEmpty else { return }
        arm(.standby, after: .nanoseconds(Int64.random(in: 0...Int64(delayMaximum.wholeNanoseconds), using: &random)))
    }

    private var coordinatorsWithoutStandby: [CoordinatorAddress] {
        configuration.coordinators.filter { address in
            address != target && !standbys.contains { $0.target == address }
        }
    }

    mutating func openStandbys() {
        guard case .welcomed = phase else { return }
        for next in coordinatorsWithoutStandby {
            let id = makeLinkID()
            standbys.append(Standby(link: id, target: next))
            logger.debug("opening a standby connection", ["address": "\(next)"])
            emit(.openLink(id, next, standby: true))
        }
    }

    /// A connected standby to a coordinator other than `avoiding`, chosen at
    /// random so a fleet spreads its hellos over the survivors.
    mutating func connectedStandbyTarget(avoiding: CoordinatorAddress?) -> CoordinatorAddress? {
        standbys.filter { $0.isConnected && $0.target != avoiding }.randomElement(using: &random)?.target
    }

    /// Makes the standby to `address`, if connected, the session's link and
    /// says hello on it; a standby that is not connected is redialling a
    /// coordinator that may be gone, so it is dropped. True if promoted.
    mutating func promoteStandby(to address: CoordinatorAddress) -> Bool {
        guard let index = standbys.firstIndex(where: { $0.target == address }) else { return false }
        let standby = standbys.remove(at: index)
        guard standby.isConnected else {
            emit(.stopLink(standby.link))
            return false
        }
        adopt(standby.link, to: address)
        logger.info("saying hello on the standby connection", ["address": "\(address)"])
        sendHello(on: standby.link)
        return true
    }

    mutating func dropStandbys() {
        cancel(.standby)
        for standby in standbys { emit(.stopLink(standby.link)) }
        standbys = []
    }

    var connectedStandbyCount: Int { standbys.count { $0.isConnected } }
}
