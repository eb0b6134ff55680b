import Fleet

extension RaftService {
    /// Writes this coordinator's API and agent addresses through Raft while
    /// the replicated ones differ (first start, a new port, a lost write),
    /// one attempt at a time, so followers can send agents to the leader and
    /// people to any API.
    func publishOwnAddressesIfStale() {
        guard let ownAddresses, !isPublishingOwnAddresses, fleet.advertised[ownAddresses.name] != ownAddresses,
              isLeaderKnown else { return }
        isPublishingOwnAddresses = true
        submitOnLoop(.write(FleetCodec.encode(.publishAddresses(ownAddresses))), mayForward: true) { [self] reply in
            isPublishingOwnAddresses = false
            if reply.status >= 300 {
                logger.debug("publishing this coordinator's addresses failed; retrying", ["status": "\(reply.status)"])
            }
        }
    }
}
