import Cluster
import Consensus
import Observability
import Transport

/// How Raft's flow control and the peer links' bounds fit together, and the count of what
/// the peer path drops. A leader stops sending
/// appends to a follower once `inflightBytesMaximum` of them wait for its acknowledgement
/// (one append may overshoot that by up to `messageBytesMaximum`); a link drops a Raft
/// message once its connection holds `backlogBytesMaximum` unsent (`FrameLink.offer`). The
/// window must fill first: were the backlog the smaller, a slow follower would lose an
/// append, reject every one after it, and the leader would fall back to probing and send
/// everything again — over and over, each append encoded in vain. `headroomBytes` is for
/// what else the link carries: heartbeats, forwarded requests and answers, the chunks of a
/// transfer (paced at the connection's 256 KiB high-water mark), frame and entry encoding.
enum PeerFlowControl {
    /// Raft's in-flight window per follower: 2 MiB, with the 1 MiB messages and 1 MiB of
    /// headroom inside the links' 4 MiB backlog.
    static let inflightBytesMaximum = 2 << 20
    static let headroomBytes = 1 << 20
    /// Every peer link's settings; its backlog is half its connection's write-queue maximum,
    /// and its pings tell the member it reaches what this build reads and which cluster this
    /// member belongs to (`PeerAdvertisement`).
    static func linkSettings(identity: ClusterIdentity) -> FrameLink.Settings {
        var settings = FrameLink.Settings()
        settings.keepaliveAdvertisement = PeerAdvertisement.current(identity: identity).encoded
        return settings
    }

    /// The settings' bounds and timing, which do not depend on the identity.
    static let linkSettings = linkSettings(identity: .none)

    /// `hotswap_peer_messages_dropped_total{direction}`: what the peer path drops rather than queue.
    static func droppedCounter(_ direction: String, in metrics: MetricsRegistry) -> Counter {
        metrics.counter("hotswap_peer_messages_dropped_total",
                        help: "Peer messages dropped: inbound, a peer's Raft messages or forwarded requests while "
                            + "\(RaftService.peerTasksMaximum) of them wait for the Raft loop; outbound, Raft messages to "
                            + "a peer whose link is down or whose backlog is full, and requests and answers a down link "
                            + "could hold no more of (Raft sends again).",
                        labels: [("direction", direction)])
    }

    /// Whether Raft's window under `configuration`, with the headroom, fits the backlog of a
    /// link under `settings`.
    static func fits(_ configuration: RaftConfiguration, _ settings: FrameLink.Settings = linkSettings) -> Bool {
        configuration.inflightBytesMaximum + configuration.messageBytesMaximum + headroomBytes <= settings.backlogBytesMaximum
    }
}

extension RaftService.Settings {
    /// The Raft node's configuration for member `id`: these settings' timing, the peer path's
    /// in-flight window. Stops the process if the window does not fit the links' backlog.
    func raftConfiguration(id: NodeID, randomSeed: UInt64) -> RaftConfiguration {
        let configuration = RaftConfiguration(
            id: id, electionTimeoutTicks: electionTimeoutTicks, heartbeatIntervalTicks: heartbeatIntervalTicks,
            inflightBytesMaximum: PeerFlowControl.inflightBytesMaximum, clockDriftBoundPercent: clockDriftBoundPercent,
            randomSeed: randomSeed)
        precondition(PeerFlowControl.fits(configuration),
                     "Raft's in-flight window (\(configuration.inflightBytesMaximum) bytes, messages of up to "
                         + "\(configuration.messageBytesMaximum)) must fill before a peer link's backlog "
                         + "(\(PeerFlowControl.linkSettings.backlogBytesMaximum) bytes) drops appends")
        return configuration
    }
}
