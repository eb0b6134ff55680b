@testable import Coordinator
import Consensus
import Testing
import Transport

/// Raft's in-flight window to a follower fills before the follower's link drops an append: a
/// backlog that filled first would make a slow follower reject every append after the dropped
/// one and the leader resend them all from a probe, again and again.
struct PeerFlowControlTests {
    @Test func theCoordinatorsInFlightWindowFitsThePeerLinksBacklogWithHeadroom() {
        let configuration = RaftService.Settings().raftConfiguration(id: 1, randomSeed: 0)
        let backlog = PeerFlowControl.linkSettings.backlogBytesMaximum
        #expect(PeerFlowControl.fits(configuration))
        #expect(configuration.inflightBytesMaximum + configuration.messageBytesMaximum < backlog,
                "a full window, overshot by one whole message, must leave room in the backlog")
        #expect(backlog == PeerFlowControl.linkSettings.limits.writeQueueMaximumBytes / 2,
                "the backlog is derived from the links' own connection limits")
    }

    /// Raft's default window (8 MiB) does not fit the links' 4 MiB backlog: the check must refuse
    /// it, and accept it only with a connection allowed enough more.
    @Test func aWindowLargerThanTheBacklogIsRefused() {
        let defaults = RaftConfiguration(id: 1)
        #expect(!PeerFlowControl.fits(defaults))
        var roomier = FrameLink.Settings()
        roomier.limits.writeQueueMaximumBytes = 2 * (defaults.inflightBytesMaximum + defaults.messageBytesMaximum
            + PeerFlowControl.headroomBytes)
        #expect(PeerFlowControl.fits(defaults, roomier))
    }
}
