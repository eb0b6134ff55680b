/// The frame kinds of the peer and agent protocols. A receiver closes the
/// connection on a kind it does not expect.
public enum FrameKind: UInt8, Sendable, CaseIterable {
    case ping = 1
    case pong = 2
    /// Peer port: one Raft message (Coordinator's `PeerMessageCodec`).
    case raft = 3
    /// Peer port: a follower hands a write to the leader (request id + command).
    case forwardProposal = 4
    /// Peer port: the leader's rendered answer to a forwarded write.
    case forwardResult = 5
    /// Agent port, agent → leader: samples (`Telemetry.ReportCodec`).
    case report = 6
    /// Agent port, leader → agent: samples stored up to a sequence.
    case reportAck = 7
    /// Agent port, agent → coordinator: the first frame of every connection.
    case agentHello = 8
    /// Agent port, leader → agent: accepted, with the leader's term.
    case agentWelcome = 9
    /// Agent port, follower → agent: go to the leader; the connection closes.
    case agentRedirect = 10
    /// Agent port, leader → agent: an order carrying the leader's term.
    case agentCommand = 11
    /// Agent port, agent → leader: the outcome of a command.
    case agentCommandResult = 12
    /// Peer port: the header of data too large for one frame (a snapshot,
    /// a forwarded answer), sent in `transferChunk`s (Coordinator's `TransferCodec`).
    case transferBegin = 13
    /// Peer port: the next bytes of the transfer in progress.
    case transferChunk = 14
    /// Peer port: the transfer is complete; the receiver checks and uses it.
    case transferEnd = 15
    /// Peer port: a member asks for a stored module artifact (sha256, offset); answered by a
    /// transfer of it or by `artifactRefusal`.
    case artifactRequest = 16
    /// Peer port: the artifact asked for is not sent (and why).
    case artifactRefusal = 17
    /// Agent port, to an agent without a certificate, first thing: the CA bundle the coordinator
    /// trusts, which the agent checks against its pinned hash (`EnrollmentCodec`,
    /// Docs/CERTIFICATES.md "Enrollment").
    case enrollmentAuthority = 18
    /// Agent port, from an agent without a certificate (only then, and only once): its join
    /// token and certificate request.
    case enrollmentRequest = 19
    /// Agent port: the certificate and CA bundle, or the refusal; the coordinator then closes.
    case enrollmentAnswer = 20
    /// Agent port, agent → coordinator on a welcomed session: a certificate request for the name
    /// of the certificate the session presented (`CertificateRenewalCodec`, Docs/CERTIFICATES.md
    /// "Renewal"); one per connection.
    case certificateRenewalRequest = 21
    /// Agent port, coordinator → agent: the renewed certificate and CA bundle, or a refusal
    /// (`EnrollmentCodec`'s answer).
    case certificateRenewalAnswer = 22
    /// Agent port, coordinator → agent: the hello is refused, and why (`AgentSessionCodec.encodeRefusal`);
    /// the coordinator then closes. An agent keeps retrying with backoff and logs the reason each time.
    case agentRefusal = 23
}
