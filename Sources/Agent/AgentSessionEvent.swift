import HostInstall
import Telemetry
import Transport
import Wire
import Primitives

/// Names one link the session core asked its shell to open, current or standby.
struct SessionLinkID: Hashable, Sendable, CustomStringConvertible {
    let serial: UInt64

    var description: String { "link-\(serial)" }
}

/// The session core's timers; each is armed at most once at a time.
enum AgentSessionTimer: Hashable, Sendable, CaseIterable {
    /// The report interval ends: take a sample and send what is pending.
    case tick
    /// No welcome or redirect came after the hello.
    case answer
    /// The backoff before dialling the next coordinator ended.
    case move
    /// Time to open standby connections to the other coordinators.
    case standby
}

/// What happens to a session: everything the session core learns arrives as one of these.
enum AgentSessionEvent: Sendable {
    case started
    case stopped
    case linkConnected(SessionLinkID)
    case linkDisconnected(SessionLinkID, reason: CloseReason)
    /// The link backs off: one failed dial (every address it tried), counted towards rotation.
    case linkBackingOff(SessionLinkID)
    case frameReceived(SessionLinkID, Frame)
    case timerFired(AgentSessionTimer)
    /// The answer to `persistTerm`: the record now holds `highestTerm`.
    case termPersisted(highestTerm: UInt64)
    /// The answer to `persistTerm`: the record could not be raised.
    case termNotPersisted(AgentStateError)
    /// The answer to `takeSample`: the interval's sample, or nil to skip it.
    case sampleTaken(Sample?)
    /// The module owner asks for (the rest of) an artifact on the link its order came on.
    case requestArtifact(ArtifactRequest, on: SessionLinkID)
    /// A module order ended (or was never taken): its result, sent only on the link the order
    /// came on while that link is still the current one, and the committed version of every
    /// installed module now (for the next hello).
    case moduleOrderFinished(AgentCommandResult, on: SessionLinkID, installedVersions: [String: String])
    /// Certificate renewal needs a new connection to the same coordinator (`reason`): the current
    /// one is replaced.
    case renewalReconnect(RenewalReconnect)
}

/// Why certificate renewal replaces the welcomed connection; each is logged as what happened.
enum RenewalReconnect: Equatable, Sendable {
    /// A renewed certificate is in place: the new connection presents it.
    case certificateRenewed
    /// The connection resumed a TLS session, on which the coordinator renews nothing.
    case sessionResumed
    /// No answer came in time: a late one must not be taken for the next request's.
    case answerOverdue
    /// An issued certificate could not be installed: the coordinator issues one per connection.
    case installFailed

    var logMessage: String {
        switch self {
        case .certificateRenewed: "reconnecting with the renewed certificate"
        case .sessionResumed: "reconnecting with a full handshake to ask for a certificate (the session was resumed)"
        case .answerOverdue: "reconnecting: the certificate renewal answer is overdue"
        case .installFailed: "reconnecting: the issued certificate could not be installed"
        }
    }
}

/// What the session core asks its shell to do, in order.
enum AgentSessionAction: Equatable, Sendable {
    /// Dial `address` and keep the link up; a standby pings less often.
    case openLink(SessionLinkID, CoordinatorAddress, standby: Bool)
    case stopLink(SessionLinkID)
    /// Send (or queue while the link redials); `what` names it in a refusal's log line.
    case send(Frame, what: String, on: SessionLinkID)
    /// Send a report only if the link is connected now: never queued ahead of a hello.
    case sendReport([UInt8], on: SessionLinkID)
    /// Raise the term record, then answer `termPersisted` or `termNotPersisted`.
    case persistTerm(UInt64)
    /// (Re)arm `timer` at `instant`, replacing any earlier arming.
    case armTimer(AgentSessionTimer, at: MonotonicInstant)
    case cancelTimer(AgentSessionTimer)
    /// Take the interval's sample, then answer `sampleTaken`.
    case takeSample
    /// Hand an admitted module order to the module owner; it answers `moduleOrderFinished`.
    case runModuleOrder(commandID: UInt64, order: ModuleOrder, on: SessionLinkID)
    /// Hand a frame of an artifact fetch, from the current link while welcomed, to the fetch.
    case deliverArtifactFrame(ArtifactFrame, on: SessionLinkID)
    /// An artifact request could not be sent on that link (gone, not current, not welcomed).
    case artifactRequestNotSent(on: SessionLinkID, reason: String)
    /// Hand the answer to a certificate renewal request, from the welcomed link, to the renewer.
    case deliverRenewalAnswer([UInt8])
}

/// A decoded frame of an artifact fetch (PROTOCOL.md, "Chunked transfers" and "Module
/// artifacts"): what the leader answers an agent's artifact request with.
enum ArtifactFrame: Equatable, Sendable {
    case begin(TransferHeader)
    case chunk(TransferChunk)
    case end(transferID: UInt64)
    case refusal(ArtifactRefusal)
}
