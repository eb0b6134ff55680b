import Cluster
import Fleet
import Primitives
import Transport

extension RaftService {
    /// How often the leader adds a new agent-port ticket key. Three are kept
    /// (`FleetState.ticketKeysMaximum`), so a key opens tickets for two
    /// rotations after it stopped sealing them: longer than a ticket lives.
    static let ticketKeyRotationInterval: Duration = .seconds(3_600)

    /// On the leader: proposes a fresh ticket key when there is none yet or
    /// the newest is older than the rotation interval, one attempt at a time.
    func rotateTicketKeyIfDue() {
        guard !isRotatingTicketKey, node.isLeaseValid else { return }
        let now = WallClock.nowMilliseconds()
        let interval = UInt64(Self.ticketKeyRotationInterval.wholeMilliseconds)
        if let newest = fleet.ticketKeys.first, now < newest.createdAtMilliseconds &+ interval { return }
        let key: SessionTicketKey
        do {
            key = try SessionTicketKey.generate()
        } catch {
            return logger.error("cannot make a session ticket key; agents resume no sessions", ["error": "\(error)"])
        }
        let record = TicketKeyRecord(name: key.name, secret: key.aesKey + key.hmacKey, createdAtMilliseconds: now)
        isRotatingTicketKey = true
        submitOnLoop(.write(FleetCodec.encode(.addTicketKey(record))), mayForward: false) { [self] reply in
            isRotatingTicketKey = false
            if reply.status >= 300 {
                logger.debug("adding a session ticket key failed; retrying", ["status": "\(reply.status)"])
            } else {
                logger.info("session ticket key added", ["key": record.nameHex])
            }
        }
    }

    /// Hands the replicated keys to `ticketKeysObserver` whenever they changed.
    func publishTicketKeysIfChanged() {
        guard fleet.ticketKeys != publishedTicketKeys else { return }
        publishedTicketKeys = fleet.ticketKeys
        ticketKeysObserver?(fleet.ticketKeys.compactMap { record in
            try? SessionTicketKey(name: record.name, aesKey: Array(record.secret.prefix(SessionTicketKey.aesKeyLength)),
                                  hmacKey: Array(record.secret.suffix(SessionTicketKey.hmacKeyLength)))
        })
    }
}
